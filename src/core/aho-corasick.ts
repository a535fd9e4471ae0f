// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. Built as a dense DFA over the units the literals use, so a step is one table read.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

export interface Automaton {
  /** Number of unit classes: delta has `classes` entries per state. */
  readonly classes: number;
  /** Next state: delta[state * classes + class]. */
  readonly delta: Int32Array;
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
  const { delta, ends } = build(classed, classes);
  return { classes, delta, low, high, ends };
}

/**
 * The trie of the literals written straight into the transition table (-1: no child yet), then completed breadth
 * first: a missing transition goes where the failure state's goes. No per-state maps: with thousands of literals
 * those were most of the memory and the time.
 */
function build(literals: readonly Units[], classes: number): { delta: Int32Array; ends: (number[] | undefined)[] } {
  const bound = literals.reduce((sum, units) => sum + units.length, 1);
  let delta = new Int32Array(bound * classes).fill(-1);
  const ends: (number[] | undefined)[] = [undefined];
  let states = 1;
  literals.forEach((units, index) => {
    let state = 0;
    for (const c of units) {
      let next = delta[state * classes + c] as number;
      if (next < 0) {
        next = states++;
        ends.push(undefined);
        delta[state * classes + c] = next;
      }
      state = next;
    }
    (ends[state] ??= []).push(index);
  });
  delta = delta.slice(0, states * classes);
  const fail = new Int32Array(states);
  const queue = new Int32Array(states);
  let tail = 0;
  for (let c = 0; c < classes; c++) {
    const child = delta[c] as number;
    if (child < 0) delta[c] = 0;
    else queue[tail++] = child; // a child of the root fails to the root
  }
  for (let head = 0; head < tail; head++) {
    const state = queue[head] as number;
    const base = state * classes;
    const failBase = (fail[state] as number) * classes;
    for (let c = 0; c < classes; c++) {
      const child = delta[base + c] as number;
      const fallback = delta[failBase + c] as number;
      if (child < 0) {
        delta[base + c] = fallback;
        continue;
      }
      fail[child] = fallback;
      const inherited = ends[fallback];
      if (inherited) ends[child] = [...(ends[child] ?? []), ...inherited];
      queue[tail++] = child;
    }
  }
  return { delta, ends };
}
