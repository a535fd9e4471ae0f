// Required literals of a regex: a set of strings of which every match contains at least one, for a prefilter.
// Each part of the regex is summarised bottom-up (as in Russ Cox's code search): the exact strings it can match
// when they are few, else the strings its matches start and end with and the sets some part of it must contain.
import { candidateSets, forgetScores, LINE_START, score, share, type Info } from "./literal-algebra.js";
import { GiveUp, Parser } from "./literal-parser.js";
import { literalChars, narrowed, scanCost, SEPARATE_NEEDLES } from "./literals-narrow.js";

/** Every line a pattern matches contains one of `literals` (compared ASCII-case-insensitively when `fold`). */
export interface LiteralSet {
  readonly literals: readonly string[];
  /** Compare ignoring ASCII case; then `literals` are lower case. */
  readonly fold: boolean;
  /**
   * Cut down from another set of the regex (literals-narrow.ts): cheaper to search for, but never in fewer lines
   * than the set it came from.
   */
  readonly narrowed?: boolean;
}

/**
 * One literal to search for: `text` (lower case when `fold`, which compares ignoring ASCII case); a text starting
 * with LINE_START is found only at the start of a line.
 */
export interface Literal {
  readonly text: string;
  readonly fold: boolean;
}

/** The literals of a set, one by one. */
export function literalsOf(set: LiteralSet): Literal[] {
  return set.literals.map((text) => ({ text, fold: set.fold }));
}

/** A unit (byte or UTF-16 code unit) with ASCII upper case folded to lower case. */
export function foldUnit(unit: number): number {
  return unit - 0x41 < 26 && unit >= 0x41 ? unit | 0x20 : unit;
}

/** A set expected in more than this share of lines is no use as a prefilter. */
const USELESS = 0.25;

/**
 * The best literal set for a regex (source and flags as RegExp takes them), or undefined when none is known or
 * the best one is too common to help. Never wrong: a line the regex matches always contains one of them.
 */
export function requiredLiterals(source: string, flags: string): LiteralSet | undefined {
  return literalOptions(source, flags, 1)[0];
}

/**
 * Every literal set of a regex that may help, best guess first (at most `max`): each alone is required, so any of
 * them is a sound prefilter. The guess comes from a static table of byte frequencies; a caller holding real lines
 * can count the sets in them and keep the rarest (see rules/calibrate.ts).
 */
export function literalOptions(source: string, flags: string, max = MAX_OPTIONS): LiteralSet[] {
  const fold = flags.includes("i");
  const info = summarise(source, flags);
  if (!info) return [];
  const found = candidateSets(info).filter((set) => set.length > 0);
  // Plain loops, no closures per set: this runs once per rule pattern at every start, mostly as cold code.
  const sets: { set: string[]; score: number; cost: number; narrowed: boolean }[] = [];
  const consider = (set: string[], isNarrowed: boolean): void => {
    const s = score(set, fold);
    if (s < 1) sets.push({ set, score: s, cost: s + scanCost(set.length), narrowed: isNarrowed });
  };
  for (const set of found) consider(set, false);
  for (const set of found) for (const narrower of narrowed(set)) consider(narrower, true);
  sets.sort((a, b) => a.cost - b.cost);
  // The best guess must look useful; the others are only offered for counting in real lines (calibrate.ts).
  if (!sets[0] || sets[0].score > USELESS) return [];
  return distinctOptions(sets, found, fold, max);
}

/** The sets in order without repeats (the same strings in any order), the best one and those worth counting. */
function distinctOptions(
  sets: readonly { set: string[]; narrowed: boolean }[],
  found: readonly string[][],
  fold: boolean,
  max: number,
): LiteralSet[] {
  // A narrowed set may come out the same as one the summary found: then it is not marked narrowed.
  let summarised: Set<string> | undefined;
  const seen = new Set<string>();
  const out: LiteralSet[] = [];
  for (const { set, narrowed } of sets) {
    if (out.length > 0 && !worthCounting(set)) continue;
    const key = keyOf(set);
    if (seen.has(key)) continue;
    seen.add(key);
    summarised ??= new Set(found.map(keyOf));
    out.push(narrowed && !summarised.has(key) ? { literals: set, fold, narrowed: true } : { literals: set, fold });
    if (out.length >= max) break;
  }
  return out;
}

/** A set's strings in a canonical order, as one string: two sets with the same strings have the same key. */
function keyOf(set: readonly string[]): string {
  return set.length === 1 ? (set[0] as string) : [...set].sort().join("\n");
}

/** Most literal sets literalOptions keeps per regex. */
const MAX_OPTIONS = 8;
/** Shortest string (line start aside) and most strings of a set offered beside the best guess. */
const OPTION_MIN_CHARS = 3;
const OPTION_MAX_STRINGS = 16;

/** A set that could turn out rarer than the best guess in real lines: a few strings, none very short. */
function worthCounting(set: readonly string[]): boolean {
  return set.length <= OPTION_MAX_STRINGS && set.every((s) => literalChars(s) >= OPTION_MIN_CHARS);
}

function summarise(source: string, flags: string): Info | undefined {
  const fold = flags.includes("i");
  const unicode = flags.includes("u");
  // Unicode case folding maps non-ASCII characters onto ASCII ones (ſ → s, K → k): no byte-level folding then.
  // The v flag's class syntax (nested classes, set operations) is not read here.
  if ((fold && unicode) || flags.includes("v")) return undefined;
  try {
    const parser = new Parser(source, fold, unicode);
    const info = parser.alternation();
    return parser.done() ? info : undefined;
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

/** The literal set of a plain substring pattern. */
export function literalSet(text: string): LiteralSet | undefined {
  return text.length > 0 ? { literals: [text], fold: false } : undefined;
}

export { forgetScores, LINE_START, score, scanCost, SEPARATE_NEEDLES, share };

/**
 * Whether a line may match a pattern with this literal set (false: it cannot): the same test as the byte and
 * batch prefilters, for callers holding a few lines (the web view's filter).
 */
export function mayMatch(set: LiteralSet, line: string): boolean {
  const text = LINE_START + (set.fold ? line.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : line);
  return set.literals.some((literal) => text.includes(literal));
}
