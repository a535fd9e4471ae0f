// Line matching for one rule: any of its match patterns, vetoed by any of its exclude patterns.
import { literalsOf, type Literal, type LiteralSet } from "../core/literals.js";
import { parsePattern, type MatchResult, type Pattern } from "../core/pattern.js";
import { enableLinearFallback } from "../core/pattern-risk.js";
import { guardPattern, type PatternTimeout } from "./guard.js";

export interface LineMatcher {
  /** The match of a line (first matching pattern wins), or undefined when it does not match or is excluded. */
  match(line: string): MatchResult | undefined;
  /**
   * Literals of which every matching line contains at least one, for a prefilter; undefined when a line
   * without any known literal may match (no `match`, or a pattern with no required literal).
   */
  readonly required: readonly Literal[] | undefined;
  /**
   * Per `match` pattern, the literal sets it could be prefiltered on (the one in use first), when some pattern has
   * more than one; undefined otherwise (nothing to choose). See calibrate.ts.
   */
  readonly options: readonly (readonly LiteralSet[])[] | undefined;
  /** Prefilter on these sets (one per `match` pattern, each one of its options) from now on. */
  choose(sets: readonly LiteralSet[]): void;
}

/** Compile a rule's `match` and `exclude` lists; no `match` means every line matches. */
export function compileMatcher(
  match: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
  onTimeout: PatternTimeout = () => {},
): LineMatcher {
  // A rule pattern runs on lines anyone may write: one that backtracks too much finishes in linear time instead,
  // and one the linear engine cannot run gets a time budget per line.
  enableLinearFallback();
  const compile = (text: string) => guardPattern(parsePattern(text), onTimeout);
  const includes = (match ?? []).map(compile);
  const excludes = (exclude ?? []).map(compile);
  let required = requiredLiterals(includes.map((p) => p.prefilter));
  const options = includes.map((p) => (p.prefilterOptions?.length ? p.prefilterOptions : [p.prefilter].filter(isSet)));
  const choosable = required !== undefined && options.some((sets) => sets.length > 1);
  return {
    get required() {
      return required;
    },
    options: choosable ? options : undefined,
    choose(sets) {
      required = requiredLiterals(sets);
    },
    match(line) {
      const found = includes.length === 0 ? { match: line, groups: {} } : firstMatch(includes, line);
      if (!found) return undefined;
      for (const pattern of excludes) if (pattern.test(line)) return undefined;
      return found;
    },
  };
}

const isSet = (set: LiteralSet | undefined): set is LiteralSet => set !== undefined;

function firstMatch(patterns: readonly Pattern[], line: string): MatchResult | undefined {
  for (const pattern of patterns) {
    const result = pattern.exec(line);
    if (result) return result;
  }
  return undefined;
}

/**
 * Names of the rules whose `match` patterns give no literal to prefilter on, so that every line of their sources
 * is tested (a rule without `match`, which takes every line by design, is not listed).
 */
export function unfilteredRules(
  rules: Record<string, { match?: readonly string[]; exclude?: readonly string[] }>,
): string[] {
  return Object.entries(rules)
    .filter(([, rule]) => rule.match && compileMatcher(rule.match, rule.exclude).required === undefined)
    .map(([name]) => name);
}

/** The prefilter literals: only usable when every include pattern has a set (a line may match any pattern). */
function requiredLiterals(sets: readonly (LiteralSet | undefined)[]): Literal[] | undefined {
  if (sets.length === 0) return undefined;
  const literals = new Map<string, Literal>();
  for (const set of sets) {
    if (set === undefined) return undefined;
    for (const literal of literalsOf(set)) literals.set(`${literal.fold}:${literal.text}`, literal);
  }
  return [...literals.values()];
}
