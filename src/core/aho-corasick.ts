// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. The shallow states, where a scan spends nearly all its steps, are a dense DFA over the units the
// literals use (a step is one table read); the deep ones, mostly chains of one child each in a trie of long
// literals, are compact records (children and failure link), so a thousand rules' literals stay small.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

/** Bytes of dense rows at most (the shallowest states get them); the rest are compact records. */
export const DENSE_BYTES = 1 << 20;

export interface Automaton {
  /** Number of unit classes: a dense row has `classes` entries. */
  readonly classes: number;
  /**
   * The dense rows as state references: from the dense state r, a unit of class c leads to the state rows[r + c]
   * (one add and one load). A reference below `denseEnd` is a dense state, the offset of its row (the root's is 0);
   * from `denseEnd` up it is a compact state, `denseEnd` plus the offset of its record in `deep`. Dense states are
   * numbered breadth first, so the shallow ones share cache lines, and the dense states where literals end come last
   * (from `accepting` up): a hit, or a compact state, is one comparison.
   */
  readonly rows: Int32Array;
  /** The first reference of a dense state where literals end; every dense state from it up ends some. */
  readonly accepting: number;
  /** The first reference of a compact state (the length of `rows`). */
  readonly denseEnd: number;
  /**
   * The compact states' records: at offset o, the failure link (a state reference), the number of children n, the
   * index of its literals in `endStart` (-1 when none end there), then n pairs (class, child reference).
   */
  readonly deep: Int32Array;
  /** Class of each unit below 256 (0: a unit no literal uses). */
  readonly low: Int32Array;
  /** Class of units from 256 up (code units of non-Latin-1 characters), when the literals use any. */
  readonly high: ReadonlyMap<number, number>;
  /**
   * The literals (input indexes) ending at each state where some end, by its index (see endsIndex):
   * endList[endStart[k]] up to endList[endStart[k + 1]]. Arrays of numbers, not a list per state.
   */
  readonly endStart: Int32Array;
  readonly endList: Int32Array;
}

/** Build the automaton of the literals (each non-empty); `denseBytes` bounds the dense rows (for tests). */
export function buildAutomaton(literals: readonly Units[], denseBytes = DENSE_BYTES): Automaton {
  const low = new Int32Array(256);
  const high = new Map<number, number>();
  let classes = 1;
  const classOf = (unit: number): number => {
    if (unit < 256) return low[unit] || (low[unit] = classes++);
    let c = high.get(unit);
    if (c === undefined) high.set(unit, (c = classes++));
    return c;
  };
  const trie = new Trie(literals.reduce((sum, units) => sum + units.length, 1));
  const own = new Map<number, number[]>();
  literals.forEach((units, index) => {
    let state = 0;
    for (const unit of units) state = trie.child(state, classOf(unit));
    const list = own.get(state);
    if (list) list.push(index);
    else own.set(state, [index]);
  });
  const dense = Math.max(1, Math.min(trie.states, Math.floor(denseBytes / 4 / classes)));
  return new Builder(trie, own, classes, dense, low, high).build();
}

/** The state after `ref` on a unit of class `c`: by a dense row, or by a record's children and failure links. */
export function step(automaton: Automaton, ref: number, c: number): number {
  const { rows, deep, denseEnd } = automaton;
  // No literal has a unit of class 0: from anywhere it leads back to the root.
  if (c === 0) return 0;
  while (ref >= denseEnd) {
    const at = ref - denseEnd;
    for (let k = at + 3, end = k + 2 * (deep[at + 1] as number); k < end; k += 2)
      if (deep[k] === c) return deep[k + 1] as number;
    ref = deep[at] as number;
  }
  return rows[ref + c] as number;
}

/** The index of the literals ending at a state (see endStart), or -1 when none ends there. */
export function endsIndex(automaton: Automaton, ref: number): number {
  const { accepting, denseEnd, classes, deep } = automaton;
  if (ref < accepting) return -1;
  return ref < denseEnd ? (ref - accepting) / classes : (deep[ref - denseEnd + 2] as number);
}

/** The class of a unit (`low` may be a folded copy of the automaton's own). */
export function unitClass(automaton: Automaton, low: Int32Array, unit: number): number {
  return unit < 256 ? (low[unit] as number) : (automaton.high.get(unit) ?? 0);
}

/**
 * Step the automaton from `ref` over line[from..] with the unit classes of `low` (below 256), writing each state
 * where literals end (and the offset just past it) into `hits` until the line ends or `hits` is full; the number of
 * entries written. The dense loop has no call: it is the engine's hottest code, and its state stays in registers.
 */
export function walk(
  automaton: Automaton,
  low: Int32Array,
  line: string,
  from: number,
  ref: number,
  hits: Int32Array,
): number {
  const { rows, high, accepting, denseEnd } = automaton;
  let n = 0;
  let i = from;
  if (ref >= denseEnd) {
    ref = deepRun(automaton, low, line, i, ref, hits, n, -1);
    i = run[0] as number;
    n = run[1] as number;
    if (n === hits.length) return n;
  }
  for (; i < line.length; i++) {
    const unit = line.charCodeAt(i);
    ref = rows[ref + (unit < 256 ? (low[unit] as number) : (high.get(unit) ?? 0))] as number;
    if (ref < accepting) continue;
    if (ref >= denseEnd) {
      // Into the compact states: on through them, and back here once in a dense state again.
      ref = deepRun(automaton, low, line, i + 1, ref, hits, n, i + 1);
      i = (run[0] as number) - 1;
      n = run[1] as number;
      if (n === hits.length) return n;
      continue;
    }
    hits[n++] = ref;
    hits[n++] = i + 1;
    if (n === hits.length) return n;
  }
  return n;
}

/** Where deepRun stopped: the next unit to read, and the number of entries in hits. */
const run = new Int32Array(2);

/**
 * The walk through compact states: from `ref` (a compact state, entered just before line[from]; `entered` is that
 * offset when it was entered by the walk's last step, whose hit, if any, it still records) over line[from..]
 * until a step leads back to a dense state, the line ends, or `hits` is full. Returns the state it stopped in, and
 * in `run` the next unit to read and the number of entries in `hits`.
 */
function deepRun(
  automaton: Automaton,
  low: Int32Array,
  line: string,
  from: number,
  ref: number,
  hits: Int32Array,
  n: number,
  entered: number,
): number {
  const { high, accepting, denseEnd, deep } = automaton;
  let i = from;
  if (entered >= 0 && (deep[ref - denseEnd + 2] as number) >= 0) {
    hits[n++] = ref;
    hits[n++] = entered;
  }
  while (n < hits.length && ref >= denseEnd && i < line.length) {
    const unit = line.charCodeAt(i++);
    ref = step(automaton, ref, unit < 256 ? (low[unit] as number) : (high.get(unit) ?? 0));
    if (ref >= accepting && (ref < denseEnd || (deep[ref - denseEnd + 2] as number) >= 0)) {
      hits[n++] = ref;
      hits[n++] = i;
    }
  }
  run[0] = i;
  run[1] = n;
  return ref;
}

/**
 * Completes the trie breadth first. A dense state's row starts as a copy of its failure state's row (one native
 * copy) and its own children are written over it: per state one copy plus its children, not a loop over every
 * class (the table is built once per rule set, in code the JIT has not optimised yet). A compact state's record
 * takes its children as they are; its children's failure links are found by step().
 */
class Builder {
  private readonly rows: Int32Array;
  private readonly deep: Int32Array;
  private readonly denseEnd: number;
  /** Per trie state: its reference, and its literals (its own, then its failure state's). */
  private readonly refOf: Int32Array;
  private readonly endsOf: (number[] | undefined)[];
  /** Per trie state: its failure state's reference. */
  private readonly failOf: Int32Array;
  /** Trie states in breadth-first order, and each one's place in it (the first `dense` are dense). */
  private readonly order: Int32Array;
  private readonly rank: Int32Array;
  /** Per dense number, its trie state. */
  private readonly denseState: Int32Array;

  constructor(
    private readonly trie: Trie,
    private readonly own: ReadonlyMap<number, number[]>,
    private readonly classes: number,
    /** How many states (the first breadth first) get dense rows. */
    private readonly dense: number,
    private readonly low: Int32Array,
    private readonly high: ReadonlyMap<number, number>,
  ) {
    const states = trie.states;
    this.order = trie.breadthFirst();
    this.rank = new Int32Array(states);
    this.order.forEach((state, k) => (this.rank[state] = k));
    this.denseState = new Int32Array(dense);
    this.refOf = new Int32Array(states);
    this.endsOf = new Array<number[] | undefined>(states).fill(undefined);
    this.failOf = new Int32Array(states);
    this.rows = new Int32Array(dense * classes);
    this.denseEnd = this.rows.length;
    // A compact state's record size follows from its children alone: their references are known before any link.
    let offset = 0;
    for (let k = dense; k < states; k++) {
      const state = this.order[k] as number;
      this.refOf[state] = this.denseEnd + offset;
      offset += 3 + 2 * trie.childCount(state);
    }
    this.deep = new Int32Array(offset);
  }

  build(): Automaton {
    const { trie, classes, dense, order } = this;
    let inner = 1; // the next dense number of a state where no literal ends (the root is 0)
    let outer = dense; // the last dense number given to a state where literals end
    const partial = this.partial(0);
    for (let k = 0; k < trie.states; k++) {
      const state = order[k] as number;
      const ref = this.refOf[state] as number;
      const fail = this.failOf[state] as number;
      if (k < dense && state !== 0) this.rows.copyWithin(ref, fail, fail + classes);
      if (k >= dense) this.record(state, ref, fail);
      for (let child = trie.first[state] as number; child > 0; child = trie.next[child] as number) {
        const c = trie.unit[child] as number;
        const fallback = state === 0 ? 0 : step(partial, fail, c);
        const mine = this.own.get(child);
        const inherited = this.endsOf[this.stateOf(fallback)];
        const ends = mine && inherited ? mine.concat(inherited) : (mine ?? inherited);
        this.endsOf[child] = ends;
        this.failOf[child] = fallback;
        // Children of dense states are numbered here (breadth first, in the order their parents are).
        if ((this.rank[child] as number) < dense) {
          const number = ends ? --outer : inner++;
          this.denseState[number] = child;
          this.refOf[child] = number * classes;
        }
        if (k < dense) this.rows[ref + c] = this.refOf[child] as number;
      }
    }
    return this.finish(outer, partial);
  }

  /** The trie state of a reference made so far. */
  private stateOf(ref: number): number {
    if (ref < this.denseEnd) return this.denseState[ref / this.classes] as number;
    // Compact references grow with breadth-first order: search it.
    let lo = this.dense;
    let hi = this.trie.states - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.refOf[this.order[mid] as number] as number) <= ref) lo = mid;
      else hi = mid - 1;
    }
    return this.order[lo] as number;
  }

  /** A compact state's record: failure link, children (their literals' index is set by finish). */
  private record(state: number, ref: number, fail: number): void {
    const { deep, trie } = this;
    let at = ref - this.denseEnd;
    deep[at++] = fail;
    deep[at++] = trie.childCount(state);
    deep[at++] = -1;
    for (let child = trie.first[state] as number; child > 0; child = trie.next[child] as number) {
      deep[at++] = trie.unit[child] as number;
      deep[at++] = this.refOf[child] as number;
    }
  }

  /** The literals of every state where some end, as two arrays: the dense ones by number, then the compact ones. */
  private finish(outer: number, partial: Automaton): Automaton {
    const { dense, trie, order, deep, denseEnd } = this;
    const ending: number[][] = [];
    for (let number = outer; number < dense; number++)
      ending.push(this.endsOf[this.denseState[number] as number] as number[]);
    for (let k = dense; k < trie.states; k++) {
      const state = order[k] as number;
      const ends = this.endsOf[state];
      if (!ends) continue;
      deep[(this.refOf[state] as number) - denseEnd + 2] = ending.length;
      ending.push(ends);
    }
    const endStart = new Int32Array(ending.length + 1);
    ending.forEach((ends, k) => (endStart[k + 1] = (endStart[k] as number) + ends.length));
    const endList = new Int32Array(endStart[ending.length] as number);
    ending.forEach((ends, k) => endList.set(ends, endStart[k] as number));
    return { ...partial, accepting: outer * this.classes, endStart, endList };
  }

  /** The automaton as far as it is built: step() on it is right for every state already completed. */
  private partial(accepting: number): Automaton {
    const { classes, rows, denseEnd, deep, low, high } = this;
    const none = new Int32Array(0);
    return { classes, rows, accepting, denseEnd, deep, low, high, endStart: none, endList: none };
  }
}

/** A trie as linked lists of children: per state its first child, next sibling and the class leading to it. */
class Trie {
  readonly first: Int32Array;
  readonly next: Int32Array;
  readonly unit: Int32Array;
  states = 1;

  constructor(bound: number) {
    this.first = new Int32Array(bound);
    this.next = new Int32Array(bound);
    this.unit = new Int32Array(bound);
  }

  /** The child of `state` by class `c`, added when missing. State 0 (the root) is no child. */
  child(state: number, c: number): number {
    for (let child = this.first[state] as number; child > 0; child = this.next[child] as number)
      if (this.unit[child] === c) return child;
    const child = this.states++;
    this.unit[child] = c;
    this.next[child] = this.first[state] as number;
    this.first[state] = child;
    return child;
  }

  childCount(state: number): number {
    let count = 0;
    for (let child = this.first[state] as number; child > 0; child = this.next[child] as number) count++;
    return count;
  }

  /** The states breadth first from the root (so by depth). */
  breadthFirst(): Int32Array {
    const order = new Int32Array(this.states);
    let tail = 1;
    for (let head = 0; head < tail; head++)
      for (let child = this.first[order[head] as number] as number; child > 0; child = this.next[child] as number)
        order[tail++] = child;
    return order;
  }
}
