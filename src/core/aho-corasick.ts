// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. Built as a dense DFA over the units the literals use, so a step is one table read.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

export interface Automaton {
  /** Number of unit classes: rows has `classes` entries per state. */
  readonly classes: number;
  /**
   * The transition table as row offsets: from the row at offset r, a unit of class c leads to the row at offset
   * rows[r + c] (so a step is one add and one load: a 16-bit table of state numbers, half the size, was slower for
   * its multiply). The row at offset r is state r / classes; the root's is 0. States are numbered breadth first,
   * so the shallow ones a scan spends most steps in share cache lines, and the states where literals end come last
   * (rows from `accepting` up), so a hit is one comparison.
   */
  readonly rows: Int32Array;
  /** The offset of the first row where literals end: every row from it up ends some. */
  readonly accepting: number;
  /** Class of each unit below 256 (0: a unit no literal uses). */
  readonly low: Int32Array;
  /** Class of units from 256 up (code units of non-Latin-1 characters), when the literals use any. */
  readonly high: ReadonlyMap<number, number>;
  /** Per row where literals end (at index (row - accepting) / classes), the literals (input indexes) ending there. */
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
  const rows = new Int32Array(states * classes);
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
      const fallback = state === 0 ? 0 : (rows[failBase + c] as number) / classes;
      const mine = own.get(child);
      const inherited = endsOf[fallback];
      const ends = mine && inherited ? mine.concat(inherited) : (mine ?? inherited);
      const to = ends ? --outer : inner++;
      endsOf[to] = ends;
      renumbered[child] = to;
      fail[to] = fallback;
      rows[base + c] = to * classes;
      queue[tail++] = child;
    }
  }
  return { rows, accepting: outer * classes, ends: endsOf.slice(outer) as number[][] };
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
