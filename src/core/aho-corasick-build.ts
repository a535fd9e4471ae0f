// Building the Aho-Corasick automaton (see aho-corasick.ts): the literals' trie, completed breadth first into dense
// rows for the shallowest states and compact records for the others.
import { step, type Automaton, type Units } from "./aho-corasick.js";

/** Bytes of dense rows at most (the shallowest states get them); the rest are compact records. */
export const DENSE_BYTES = 1 << 20;

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
