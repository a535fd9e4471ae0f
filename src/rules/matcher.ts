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
  /** Every source of the rule has chosen: `options` is no longer needed (it becomes undefined). */
  settle(): void;
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
  const compile = (text: string): Pattern => guardPattern(parsePattern(text), onTimeout);
  return new RuleMatcher((match ?? []).map(compile), exclude?.length ? exclude.map(compile) : NONE);
}

/**
 * A rule's patterns and prefilter literals. A class, not closures over the compile's locals: a thousand rules each
 * keep one, and a closure would keep the whole compile scope alive with it.
 */
class RuleMatcher implements LineMatcher {
  required: readonly Literal[] | undefined;
  options: readonly (readonly LiteralSet[])[] | undefined;

  constructor(
    private readonly includes: readonly Pattern[],
    private readonly excludes: readonly Pattern[],
  ) {
    // Each pattern's literal analysis is read once (a pattern works it out on each read). The first of its options
    // is its prefilter; a literal pattern has only a prefilter.
    const options = includes.map(optionsOf);
    this.required = requiredLiterals(options.map((sets) => sets[0]));
    this.options = this.required !== undefined && options.some((sets) => sets.length > 1) ? options : undefined;
  }

  choose(sets: readonly LiteralSet[]): void {
    this.required = requiredLiterals(sets);
  }

  settle(): void {
    this.options = undefined;
  }

  match(line: string): MatchResult | undefined {
    const found = this.includes.length === 0 ? { match: line, groups: {} } : firstMatch(this.includes, line);
    if (!found) return undefined;
    for (const pattern of this.excludes) if (pattern.test(line)) return undefined;
    return found;
  }
}

/** The exclude list of the many rules without one: shared. */
const NONE: readonly Pattern[] = Object.freeze([]);

function optionsOf(pattern: Pattern): readonly LiteralSet[] {
  const options = pattern.prefilterOptions;
  if (options?.length) return options;
  const prefilter = options ? undefined : pattern.prefilter;
  return prefilter ? [prefilter] : [];
}

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
