// Literal choice from real lines: a regex often has several literal sets any of which every match contains; a
// static guess of which is rarest can be far off for a given log (a bot name in a tenth of the lines, an URL in
// none), so the first lines of each source are counted and every rule keeps the set cheapest on them: the fewest
// lines let through, weighed with the cost of searching for the set (fewer, longer literals are cheaper).
import { forgetScores, SEPARATE_NEEDLES, scanCost, share, type Literal, type LiteralSet } from "../core/literals.js";
import type { LogRecord } from "../core/record.js";
import type { LineMatcher } from "./matcher.js";
import { LiteralIndex } from "./prefilter.js";

/** Lines of a source counted before choosing; its later lines are prefiltered on the choice. */
export const SAMPLE_LINES = 1000;
/** How many sample lines the static guess of a set's share of lines counts as (see calibrate). */
const PRIOR_LINES = 100;
/** Characters of sample kept at most per source (long lines fill it first). */
const SAMPLE_CHARS = 1 << 20;

interface CalibratedRule {
  readonly sources: ReadonlySet<string>;
  readonly matcher: LineMatcher;
}

export class Calibrator {
  /** Sources still being sampled: the lines seen so far. */
  private readonly samples = new Map<string, { lines: string[]; chars: number }>();

  constructor(
    private readonly rules: readonly CalibratedRule[],
    private readonly sampleLines = SAMPLE_LINES,
    /** The engine's index, when it searches for every literal of the rules' sets (see countLines). */
    private readonly index?: () => LiteralIndex,
  ) {
    for (const rule of rules) {
      if (!rule.matcher.options) continue;
      for (const source of rule.sources) this.samples.set(source, { lines: [], chars: 0 });
    }
  }

  /** True once the rules of every source have chosen their literals (at once when none has a choice). */
  get done(): boolean {
    return this.samples.size === 0;
  }

  /** True once the rules of this source have chosen their literals (at once when none has a choice). */
  settled(source: string): boolean {
    return !this.samples.has(source);
  }

  /** Sample the records of unsettled sources; true when some rule changed its literals (prefilters are stale). */
  observe(records: readonly LogRecord[]): boolean {
    if (this.samples.size === 0) return false;
    const full: string[] = [];
    for (const record of records) {
      const sample = this.samples.get(record.source);
      if (!sample || sample.lines.length >= this.sampleLines || sample.chars >= SAMPLE_CHARS) continue;
      sample.lines.push(record.line);
      sample.chars += record.line.length + 1;
      if (sample.lines.length >= this.sampleLines || sample.chars >= SAMPLE_CHARS) full.push(record.source);
    }
    let changed = false;
    for (const source of full) changed = this.calibrate(source) || changed;
    return changed;
  }

  private calibrate(source: string): boolean {
    const lines = this.samples.get(source)?.lines ?? [];
    this.samples.delete(source);
    const choosing = this.rules.filter((rule) => rule.matcher.options && rule.sources.has(source));
    const readers = this.rules.filter((rule) => rule.sources.has(source)).length;
    // A narrowed set only ever wins by its cheaper search, which a source read by many rules does not see (their
    // literals make one multi-needle pass): then only the sets the regex summary found are counted (and the one in
    // use).
    const offered = (sets: readonly LiteralSet[]): readonly LiteralSet[] =>
      readers <= SEPARATE_NEEDLES ? sets : sets.filter((set, i) => i === 0 || !set.narrowed);
    const sets = choosing.flatMap((rule) => (rule.matcher.options ?? []).flatMap(offered));
    const counts = countLines(lines, sets, this.index?.());
    // The literals of every rule of a source are searched for together: the fewer rules, the more a set's own
    // search costs beside the lines it lets through. A count in a sample says little when it is small (none in
    // 1,000 lines may be 1 in 2,000 or 1 in a million), so the static guess weighs in as PRIOR_LINES more lines.
    const cost = (set: LiteralSet): number => {
      const found = set.literals.reduce((sum, text) => sum + (counts.get(key(text, set.fold)) ?? 0), 0);
      const likely = (found + PRIOR_LINES * share(set.literals, set.fold)) / (lines.length + PRIOR_LINES);
      return likely + scanCost(set.literals.length) / readers;
    };
    let changed = false;
    for (const rule of choosing) {
      const options = rule.matcher.options ?? [];
      const picks = options.map((sets) => cheapest(offered(sets), cost));
      if (picks.every((set, i) => set === options[i]?.[0])) continue;
      rule.matcher.choose(picks);
      changed = true;
    }
    // A rule whose every source has chosen never chooses again: its options (the literal analysis) can go, and so
    // can the scores of their strings.
    for (const rule of choosing) if (![...rule.sources].some((s) => this.samples.has(s))) rule.matcher.settle();
    forgetScores();
    return changed;
  }
}

const key = (text: string, fold: boolean): string => `${fold ? "i" : "-"}${text}`;

/**
 * The set cheapest to prefilter on: the share of sample lines it lets through (a line with two of its strings
 * counted twice) plus the cost of searching for it; of equal ones the first.
 */
function cheapest(sets: readonly LiteralSet[], cost: (set: LiteralSet) => number): LiteralSet {
  let best = sets[0] as LiteralSet;
  let bestCost = Infinity;
  for (const set of sets) {
    const c = cost(set);
    if (c < bestCost) [best, bestCost] = [set, c];
  }
  return best;
}

/**
 * Per string of the sets (by key), how many of the lines hold it: one pass of the rules' own prefilter over the
 * sample, so each is found as the prefilters will find it (line starts included). The engine's `index` when it
 * searches for them all (it is built over every set), else one of their own.
 */
export function countLines(
  lines: readonly string[],
  sets: readonly LiteralSet[],
  index?: LiteralIndex,
): Map<string, number> {
  const literals = new Map<string, Literal>();
  for (const set of sets) for (const text of set.literals) literals.set(key(text, set.fold), { text, fold: set.fold });
  const all = [...literals.values()];
  const counting = index && all.every((l) => l.text === "" || index.idOf(l) !== undefined) ? index : undefined;
  const searching = counting ?? new LiteralIndex([], all);
  const counts = searching.count(lines);
  // An empty string is in every line (no index searches for it).
  const countOf = (l: Literal): number => (l.text === "" ? lines.length : (counts[searching.idOf(l) ?? -1] ?? 0));
  return new Map([...literals].map(([k, l]) => [k, countOf(l)]));
}
