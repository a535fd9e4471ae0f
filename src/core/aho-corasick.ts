// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. Built as a dense DFA over the units the literals use, so a step is one table read.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

export interface Automaton {
  /** Number of unit classes: rows has `classes` entries per state. */
  readonly classes: number;
  /**
   * The transition table: from state s, a unit of class c leads to state rows[s * classes + c]. The root is state
   * 0. States are numbered breadth first, so the shallow ones a scan spends most steps in share few cache lines,
   * and the states where literals end come last (from `accepting` up), so a hit is one comparison. 16-bit
   * entries while the states fit: the table is read once per unit of every line, and its size sets the misses.
   */
  readonly rows: Uint16Array | Uint32Array;
  /** The first state where literals end: every state from it up ends some. */
  readonly accepting: number;
  /** Class of each unit below 256 (0: a unit no literal uses). */
  readonly low: Int32Array;
  /** Class of units from 256 up (code units of non-Latin-1 characters), when the literals use any. */
  readonly high: ReadonlyMap<number, number>;
  /** Per accepting state (at index state - accepting), the literals (indexes into the input) ending there. */
  readonly ends: readonly (readonly number[])[];
}

/** Build the automaton of the literals (each non-empty). */
export function buildAutomaton(literals: readonly Units[]): Automaton {
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
  return { classes, low, high, ...complete(trie, own, classes) };
}

/**
 * The rows of the trie completed breadth first: a state's row starts as a copy of its failure state's row (one
 * native copy) and its own children are written over it. Per state that is one copy plus its children, not a loop
 * over every class: the table is built once per rule set, in code the JIT has not optimised yet.
 */
function complete(
  trie: Trie,
  own: ReadonlyMap<number, number[]>,
  classes: number,
): Pick<Automaton, "rows" | "accepting" | "ends"> {
  const states = trie.states;
  const rows = states <= 0x10000 ? new Uint16Array(states * classes) : new Uint32Array(states * classes);
  // Per state of the trie: its number in the table, and its literals (its own, then its failure state's).
  const renumbered = new Int32Array(states);
  const endsOf: (number[] | undefined)[] = new Array<number[] | undefined>(states).fill(undefined);
  const fail = new Int32Array(states); // by number in the table
  const queue = new Int32Array(states);
  let inner = 1; // the next number of a state where no literal ends (the root is 0)
  let outer = states; // the last number given to a state where literals end
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const state = queue[head] as number;
    const from = renumbered[state] as number;
    const base = from * classes;
    const failBase = (fail[from] as number) * classes;
    if (state !== 0) rows.copyWithin(base, failBase, failBase + classes);
    for (let child = trie.first[state] as number; child > 0; child = trie.next[child] as number) {
      const c = trie.unit[child] as number;
      const fallback = state === 0 ? 0 : (rows[failBase + c] as number);
      const mine = own.get(child);
      const inherited = endsOf[fallback];
      const ends = mine && inherited ? mine.concat(inherited) : (mine ?? inherited);
      const to = ends ? --outer : inner++;
      endsOf[to] = ends;
      renumbered[child] = to;
      fail[to] = fallback;
      rows[base + c] = to;
      queue[tail++] = child;
    }
  }
  return { rows, accepting: outer, ends: endsOf.slice(outer) as number[][] };
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
}
