// The summary algebra of literals.ts: what every match of a piece of regex looks like, combined piece by piece
// (concatenation, alternation, repetition), and how rare a set of strings is in log text.
import { BYTE_FREQUENCY, commonRunMask, FOLDED_BYTE_FREQUENCY } from "./byte-frequency.js";

/** Most strings a set keeps; a larger one is shortened (a substring of a required string is still required). */
const MAX_SET = 32;
/** The cost of each string of a set, as a share of lines let through. */
const PER_STRING = 0.001;
/** How much rarer each byte beyond the fourth makes a literal (its rarest three bytes are weighed already). */
const LONGER = 0.7;
/**
 * What every match of a piece of regex looks like. With `exact`, the piece matches exactly those strings (and
 * prefix/suffix/factors are unused); otherwise each match starts with one of `prefix`, ends with one of `suffix`
 * and contains one string of each of `factors`. A set holding "" says nothing.
 */
export interface Info {
  exact: string[] | undefined;
  prefix: string[];
  suffix: string[];
  factors: string[][];
}

export const anything = (): Info => ({ exact: undefined, prefix: [""], suffix: [""], factors: [] });
export const exactly = (strings: string[]): Info => ({ exact: strings, prefix: [], suffix: [], factors: [] });
export const EMPTY = (): Info => exactly([""]);

/** Estimated share of lines containing one of the strings (lower is better); sets holding "" score 1. */
export function score(set: readonly string[], fold: boolean): number {
  // Each more string costs a little more to search for: of two equally rare sets, the smaller one wins.
  let total = set.length * PER_STRING;
  for (const s of set) {
    if (s === "") return 1;
    total += 1e-6 / s.length; // of two equally rare strings, the longer one lets fewer lines through
    total += stringScore(s, fold);
  }
  return Math.min(1, total);
}

/** The estimated share of lines holding one of the strings alone (score without the cost of more strings). */
export function share(set: readonly string[], fold: boolean): number {
  let total = 0;
  for (const s of set) total += s === "" ? 1 : stringScore(s, fold);
  return Math.min(1, total);
}

/**
 * stringScore of strings already scored, one map per case mode (no key built per lookup): a set is scored again
 * at each step of the summary.
 */
const scored = new Map<string, number>();
const scoredFolded = new Map<string, number>();

/**
 * Forget the scores (a caller done analysing patterns): the strings of every set considered would otherwise stay in
 * memory for good, thousands of them for a large config.
 */
export function forgetScores(): void {
  scored.clear();
  scoredFolded.clear();
}

/** Estimated share of lines containing the string, from its bytes outside runs of common words. */
function stringScore(s: string, fold: boolean): number {
  const memo = fold ? scoredFolded : scored;
  let known = memo.get(s);
  if (known === undefined) {
    if (memo.size >= 100_000) memo.clear(); // bounded: configs are far smaller
    memo.set(s, (known = estimate(s, fold)));
  }
  return known;
}

/**
 * Where a line starts, in a literal: the prefilters read every line as if a newline came before it (a chunk's
 * lines are separated by one, and the first line's is taken as read), so a literal starting with it is found only
 * at the start of a line.
 */
export const LINE_START = "\n";
/** How much rarer a string is at the start of a line than anywhere in it. */
const ANCHORED = 0.2;

function estimate(s: string, fold: boolean): number {
  const anchored = s.startsWith(LINE_START);
  const text = anchored ? s.slice(LINE_START.length) : s;
  const common = commonRunMask(text);
  const table = fold ? FOLDED_BYTE_FREQUENCY : BYTE_FREQUENCY;
  // The three rarest bytes outside common words, kept in locals: this runs for every string of every set, mostly
  // in code not yet optimised, where a call, a closure or a destructuring swap per byte costs.
  let first = 1;
  let second = 1;
  let third = 1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE || common?.[i] === 1) continue;
    // A non-ASCII character counts as its UTF-8 bytes.
    const utf8 = code < 0x80 ? undefined : Buffer.from(String.fromCodePoint(text.codePointAt(i) as number));
    if (utf8 && utf8.length === 4) i++; // the low surrogate of the pair
    for (let b = 0; b < (utf8 ? utf8.length : 1); b++) {
      const f = table[utf8 ? (utf8[b] as number) : code] as number;
      count++;
      if (f < first) {
        third = second;
        second = first;
        first = f;
      } else if (f < second) {
        third = second;
        second = f;
      } else if (f < third) third = f;
    }
  }
  if (count === 0) return 1;
  // Bytes of one string are not independent: count the rarest fully, the next ones less and less.
  const rarest = 80 * first * Math.sqrt(second) * Math.sqrt(Math.sqrt(third));
  return Math.min(1, rarest * LONGER ** Math.max(0, count - 4) * (anchored ? ANCHORED : 1));
}

const NEWLINE = 0x0a;

/** The sets of which every match holds one string (each may hold "", which says nothing). */
export function candidateSets(info: Info): string[][] {
  return info.exact ? [info.exact] : [...info.factors, info.prefix, info.suffix];
}

export function bestSet(info: Info, fold: boolean): string[] | undefined {
  const candidates = candidateSets(info);
  let best: string[] | undefined;
  let bestScore = 1;
  for (const set of candidates) {
    const s = score(set, fold);
    if (set.length > 0 && s < bestScore) {
      best = set;
      bestScore = s;
    }
  }
  return best;
}

/** The strings without repeats; a list of one or none is returned as it is (sets are never changed in place). */
const unique = (strings: string[]): string[] => (strings.length < 2 ? strings : [...new Set(strings)]);

/**
 * Shorten the longest strings of a set (keeping their start, or their end) until it has at most MAX_SET. A set
 * holding "" (or a string shortened to "") says nothing, and stays so.
 */
function trim(set: string[], keep: "start" | "end"): string[] {
  if (set.length <= MAX_SET) return unique(set);
  let out = unique(set);
  while (out.length > MAX_SET) {
    if (out.includes("")) return [""];
    const longest = Math.max(...out.map((s) => s.length));
    out = unique(out.map((s) => (s.length < longest ? s : keep === "start" ? s.slice(0, -1) : s.slice(1))));
  }
  return out;
}

function cross(a: string[], b: string[]): string[] {
  if (a.length === 1 && b.length === 1) return [(a[0] as string) + (b[0] as string)];
  const x = trim(a, "end");
  const y = trim(b, "start");
  const out: string[] = [];
  for (const s of x) for (const t of y) out.push(s + t);
  return unique(out);
}

const starts = (info: Info): string[] => info.exact ?? info.prefix;
const ends = (info: Info): string[] => info.exact ?? info.suffix;
const says = (set: string[] | undefined): set is string[] => set !== undefined && !set.includes("");

/** Whether a piece matches only the empty string (a sequence's start, `$`, `\b`). */
const onlyEmpty = (info: Info): boolean => info.exact?.length === 1 && info.exact[0] === "";

export function concat(x: Info, y: Info): Info {
  // The empty string beside an exact piece leaves it as it is (what crossing the two would give, done cheaply).
  if (y.exact && y.exact.length <= MAX_SET && onlyEmpty(x)) return exactly(unique(y.exact));
  if (x.exact && x.exact.length <= MAX_SET && onlyEmpty(y)) return exactly(unique(x.exact));
  if (x.exact && y.exact && x.exact.length * y.exact.length <= MAX_SET) return exactly(cross(x.exact, y.exact));
  // What x ends with and y starts with meet in the middle. When one side is exact the middle is the new prefix or
  // suffix, carried on; when neither is, the suffix of x and the prefix of y end here, and are kept as factors
  // beside the middle (the cross of two sets can be far larger than either, and so a worse prefilter).
  const factors = [...x.factors, ...y.factors];
  if (!x.exact && !y.exact) factors.push(x.suffix, y.prefix, trim(cross(x.suffix, y.prefix), "start"));
  else factors.push(...[x.exact, y.exact].filter(says));
  // A prefix or suffix about to be shortened (too many strings) is kept whole as a factor first.
  if (x.exact && !y.exact && x.exact.length * y.prefix.length > MAX_SET) factors.push(y.prefix);
  if (y.exact && !x.exact && x.suffix.length * y.exact.length > MAX_SET) factors.push(x.suffix);
  return {
    exact: undefined,
    prefix: x.exact ? trim(cross(x.exact, starts(y)), "start") : x.prefix,
    suffix: y.exact ? trim(cross(ends(x), y.exact), "end") : y.suffix,
    factors: fewest(factors.filter(says)),
  };
}

/** Most factor sets a summary keeps: the ones with the best static score (real lines choose among them). */
const MAX_FACTORS = 12;

/** The factor sets without repeats, at most MAX_FACTORS of them. */
function fewest(sets: string[][]): string[][] {
  const byKey = new Map<string, string[]>();
  for (const set of sets) byKey.set(set.join("\n"), set);
  if (byKey.size <= MAX_FACTORS) return byKey.size === sets.length ? sets : [...byKey.values()];
  return [...byKey.values()]
    .map((set) => ({ set, score: score(set, false) }))
    .sort((a, b) => a.score - b.score)
    .slice(0, MAX_FACTORS)
    .map((c) => c.set);
}

export function alternate(x: Info, y: Info, fold: boolean): Info {
  if (x.exact && y.exact && x.exact.length + y.exact.length <= MAX_SET)
    return exactly(unique([...x.exact, ...y.exact]));
  const bx = bestSet(x, fold);
  const by = bestSet(y, fold);
  const either = bx && by ? trim([...bx, ...by], "start") : undefined;
  return {
    exact: undefined,
    prefix: trim([...starts(x), ...starts(y)], "start"),
    suffix: trim([...ends(x), ...ends(y)], "end"),
    factors: says(either) ? [either] : [],
  };
}

/** One or more copies of x: starts like x, ends like x, contains what x contains. */
export function plus(x: Info): Info {
  return {
    exact: undefined,
    prefix: starts(x),
    suffix: ends(x),
    factors: [...x.factors, ...[x.exact].filter(says)],
  };
}

function power(x: Info, n: number): Info {
  let out = EMPTY();
  for (let i = 0; i < n; i++) out = concat(out, x);
  return out;
}

/** x{min,max} (max Infinity when open). */
export function repeat(x: Info, min: number, max: number, fold: boolean): Info {
  if (max === 0) return EMPTY();
  if (min === 0) {
    if (!x.exact || max > 3) return anything();
    let out = EMPTY();
    for (let n = 1; n <= max; n++) out = alternate(out, power(x, n), fold);
    return out;
  }
  const copies = Math.min(min, 4);
  if (min === max && min <= 4) return power(x, min);
  return concat(power(x, copies - 1), plus(x)); // at least `copies` copies, the last one possibly repeated
}
