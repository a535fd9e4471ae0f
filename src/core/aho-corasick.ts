// Aho-Corasick automaton over small integer units (bytes, or UTF-16 code units): one pass finds every one of
// many literals. The shallow states, where a scan spends nearly all its steps, are a dense DFA over the units the
// literals use (a step is one table read); the deep ones, mostly chains of one child each in a trie of long
// literals, are compact records (children and failure link), so a thousand rules' literals stay small.

/** A literal as units (already folded by the caller when it searches case-insensitively). */
export type Units = readonly number[];

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
