// Line matching for one rule: any of its match patterns, vetoed by any of its exclude patterns.
import { parsePattern, type MatchResult, type Pattern } from "../core/pattern.js";
import { enableLinearFallback } from "../core/pattern-risk.js";

export interface LineMatcher {
  /** The match of a line (first matching pattern wins), or undefined when it does not match or is excluded. */
  match(line: string): MatchResult | undefined;
  /**
   * Literals of which every matching line contains at least one, for a prefilter; undefined when a line
   * without any known literal may match (no `match`, or a pattern with no required literal).
   */
  readonly required: readonly string[] | undefined;
}

/** Compile a rule's `match` and `exclude` lists; no `match` means every line matches. */
export function compileMatcher(
  match: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
): LineMatcher {
  // A rule pattern runs on lines anyone may write: one that backtracks too much finishes in linear time instead.
  enableLinearFallback();
  const includes = (match ?? []).map(parsePattern);
  const excludes = (exclude ?? []).map(parsePattern);
  return {
    required: requiredLiterals(includes),
    match(line) {
      const found = includes.length === 0 ? { match: line, groups: {} } : firstMatch(includes, line);
      if (!found) return undefined;
      for (const pattern of excludes) if (pattern.test(line)) return undefined;
      return found;
    },
  };
}

function firstMatch(patterns: readonly Pattern[], line: string): MatchResult | undefined {
  for (const pattern of patterns) {
    const result = pattern.exec(line);
    if (result) return result;
  }
  return undefined;
}

/** The prefilter literals: only usable when every include pattern has one (a line may match any pattern). */
function requiredLiterals(patterns: readonly Pattern[]): string[] | undefined {
  if (patterns.length === 0) return undefined;
  const literals: string[] = [];
  for (const pattern of patterns) {
    if (pattern.requiredAny === undefined) return undefined;
    literals.push(...pattern.requiredAny);
  }
  return [...new Set(literals)];
}
