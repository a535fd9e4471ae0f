// Required literals of a regex: a set of strings of which every match contains at least one, for a prefilter.
// Each part of the regex is summarised bottom-up (as in Russ Cox's code search): the exact strings it can match
// when they are few, else the strings its matches start and end with and the sets some part of it must contain.
import { bestSet, score, type Info } from "./literal-algebra.js";
import { GiveUp, Parser } from "./literal-parser.js";

/** Every line a pattern matches contains one of `literals` (compared ASCII-case-insensitively when `fold`). */
export interface LiteralSet {
  readonly literals: readonly string[];
  /** Compare ignoring ASCII case; then `literals` are lower case. */
  readonly fold: boolean;
}

/** One literal to search for: `text` (lower case when `fold`, which compares ignoring ASCII case). */
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
  const fold = flags.includes("i");
  const unicode = flags.includes("u");
  // Unicode case folding maps non-ASCII characters onto ASCII ones (ſ → s, K → k): no byte-level folding then.
  // The v flag's class syntax (nested classes, set operations) is not read here.
  if ((fold && unicode) || flags.includes("v")) return undefined;
  let info: Info;
  try {
    const parser = new Parser(source, fold, unicode);
    info = parser.alternation();
    if (!parser.done()) return undefined;
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
  const set = bestSet(info, fold);
  if (!set || score(set, fold) > USELESS) return undefined;
  return { literals: set, fold };
}

/** The literal set of a plain substring pattern. */
export function literalSet(text: string): LiteralSet | undefined {
  return text.length > 0 ? { literals: [text], fold: false } : undefined;
}

export { score };
