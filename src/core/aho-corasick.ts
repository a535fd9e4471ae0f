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
  const trie = buildTrie(literals.map((units) => units.map(classOf)));
  return { classes, delta: toDfa(trie, classes), low, high, ends: trie.ends };
}

interface Trie {
  /** children[state]: class → state. */
  children: Map<number, number>[];
  ends: (number[] | undefined)[];
  fail: number[];
  /** States in breadth-first order (parents before children). */
  order: number[];
}

function buildTrie(literals: readonly Units[]): Trie {
  const children: Map<number, number>[] = [new Map()];
  const ends: (number[] | undefined)[] = [undefined];
  literals.forEach((units, index) => {
    let state = 0;
    for (const c of units) {
      const node = children[state] as Map<number, number>;
      let next = node.get(c);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        ends.push(undefined);
        node.set(c, next);
      }
      state = next;
    }
    (ends[state] ??= []).push(index);
  });
  const fail = new Array<number>(children.length).fill(0);
  const order = [0];
  for (let head = 0; head < order.length; head++) {
    const state = order[head] as number;
    for (const [c, child] of children[state] as Map<number, number>) {
      order.push(child);
      if (state === 0) continue;
      let f = fail[state] as number;
      while (f !== 0 && !(children[f] as Map<number, number>).has(c)) f = fail[f] as number;
      const target = (children[f] as Map<number, number>).get(c);
      fail[child] = target !== undefined && target !== child ? target : 0;
      const inherited = ends[fail[child] as number];
      if (inherited) ends[child] = [...(ends[child] ?? []), ...inherited];
    }
  }
  return { children, ends, fail, order };
}

/** Fill every transition: a missing child goes where the failure state goes (parents are filled first). */
function toDfa(trie: Trie, classes: number): Int32Array {
  const delta = new Int32Array(trie.children.length * classes);
  for (const state of trie.order) {
    const base = state * classes;
    const failBase = (trie.fail[state] as number) * classes;
    for (let c = 0; c < classes; c++) {
      const child = (trie.children[state] as Map<number, number>).get(c);
      delta[base + c] = child ?? (state === 0 ? 0 : (delta[failBase + c] as number));
    }
  }
  return delta;
}
