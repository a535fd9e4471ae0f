// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. Built as a dense DFA over the units the literals use, so a step is one table read.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

export interface Automaton {
  /** Number of unit classes: rows has `classes` entries per state. */
  readonly classes: number;
  /**
   * The transition table as row offsets: from the row at offset r, a unit of class c leads to the row at offset
   * rows[r + c], negated minus one when literals end in that state (so a step is one load and a hit one sign test).
   * The row at offset r is state r / classes; the root's is 0.
   */
  readonly rows: Int32Array;
  /** Class of each unit below 256 (0: a unit no literal uses). */
  readonly low: Int32Array;
  /** Class of units from 256 up (code units of non-Latin-1 characters), when the literals use any. */
  readonly high: ReadonlyMap<number, number>;
  /** Per state, the literals (indexes into the input) ending there, or undefined: most states end none. */
  readonly ends: readonly (readonly number[] | undefined)[];
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
  const classed = literals.map((units) => units.map(classOf));
  const { rows, ends } = build(classed, classes);
  return { classes, rows, low, high, ends };
}

/**
 * The trie of the literals (children in linked lists), then its rows completed breadth first: a state's row starts
 * as a copy of its failure state's row (one native copy) and its own children are written over it. Per state that
 * is one copy plus its children, not a loop over every class: the table is built once or twice per run, in code
 * the JIT has not optimised yet, where such a loop was most of the build.
 */
function build(literals: readonly Units[], classes: number): { rows: Int32Array; ends: (number[] | undefined)[] } {
  const bound = literals.reduce((sum, units) => sum + units.length, 1);
  const trie = new Trie(bound);
  const own: (number[] | undefined)[] = [undefined];
  literals.forEach((units, index) => {
    let state = 0;
    for (const c of units) state = trie.child(state, c, () => own.push(undefined));
    (own[state] ??= []).push(index);
  });
  const states = trie.states;
  const ends: (number[] | undefined)[] = new Array<number[] | undefined>(states).fill(undefined);
  const rows = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const queue = new Int32Array(states);
  let tail = 1; // the root: its row stays all zeros (row offset 0) but for its children
  for (let head = 0; head < tail; head++) {
    const state = queue[head] as number;
    const base = state * classes;
    const failBase = (fail[state] as number) * classes;
    if (state !== 0) rows.copyWithin(base, failBase, failBase + classes);
    for (let child = trie.first[state] as number; child > 0; child = trie.next[child] as number) {
      const c = trie.unit[child] as number;
      const fallback = state === 0 ? 0 : stateOf(rows[failBase + c] as number, classes);
      fail[child] = fallback;
      const inherited = ends[fallback];
      const mine = own[child];
      ends[child] = mine && inherited ? mine.concat(inherited) : (mine ?? inherited);
      rows[base + c] = ends[child] ? -(child * classes) - 1 : child * classes;
      queue[tail++] = child;
    }
  }
  return { rows, ends };
}

/** The state a row entry leads to (see Automaton.rows). */
function stateOf(entry: number, classes: number): number {
  return (entry < 0 ? -entry - 1 : entry) / classes;
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

  /** The child of `state` by class `c`, added (and `added` called) when missing. State 0 (the root) is no child. */
  child(state: number, c: number, added: () => void): number {
    for (let child = this.first[state] as number; child > 0; child = this.next[child] as number)
      if (this.unit[child] === c) return child;
    const child = this.states++;
    this.unit[child] = c;
    this.next[child] = this.first[state] as number;
    this.first[state] = child;
    added();
    return child;
  }
}
