// A time budget for config patterns that can backtrack catastrophically and that V8's linear fallback cannot take.
import vm from "node:vm";
import type { LiteralSet } from "../core/literals.js";
import type { MatchResult, Pattern } from "../core/pattern.js";
import { canRunLinear, enableLinearFallback, nestedQuantifier } from "../core/pattern-risk.js";

/** How long one line may take in a guarded pattern before it counts as no match. */
export const GUARD_BUDGET_MS = 100;

/** Told when a guarded pattern ran out of time on a line (the line then counts as not matching). */
export type PatternTimeout = (pattern: string) => void;

/**
 * The pattern itself when it is safe: a literal, a regex with no nested quantifier, or one V8's linear-time fallback
 * can take over. Otherwise the same pattern whose test and exec run under vm's watchdog, which interrupts a regex
 * mid-backtrack. The watchdog costs a thread start per line (tens to hundreds of microseconds), so only these
 * patterns pay it, and only on the lines the literal prefilter lets through; `logward check` names them.
 */
export function guardPattern(pattern: Pattern, onTimeout: PatternTimeout, budgetMs = GUARD_BUDGET_MS): Pattern {
  const re = pattern.regex;
  if (pattern.kind !== "regex" || !re || nestedQuantifier(re.source) === undefined) return pattern;
  if (enableLinearFallback() && canRunLinear(re)) return pattern;
  const context = vm.createContext({ re, line: "" });
  const exec = new vm.Script("re.lastIndex = 0, re.exec(line)");
  const run = (line: string): RegExpExecArray | null => {
    context.line = line;
    try {
      return exec.runInContext(context, { timeout: budgetMs }) as RegExpExecArray | null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw err;
      onTimeout(pattern.source);
      return null;
    }
  };
  return new GuardedPattern(pattern, run);
}

/** A pattern whose test and exec run under the watchdog; everything else is the pattern's own (its accessors too). */
class GuardedPattern implements Pattern {
  constructor(
    private readonly pattern: Pattern,
    private readonly run: (line: string) => RegExpExecArray | null,
  ) {}

  get source(): string {
    return this.pattern.source;
  }
  get kind(): Pattern["kind"] {
    return this.pattern.kind;
  }
  get regex(): RegExp | undefined {
    return this.pattern.regex;
  }
  get required(): string | undefined {
    return this.pattern.required;
  }
  get requiredAny(): readonly string[] | undefined {
    return this.pattern.requiredAny;
  }
  get prefilter(): LiteralSet | undefined {
    return this.pattern.prefilter;
  }
  get prefilterOptions(): readonly LiteralSet[] | undefined {
    return this.pattern.prefilterOptions;
  }

  test(line: string): boolean {
    return this.run(line) !== null;
  }

  exec(line: string): MatchResult | undefined {
    if (!this.run(line)) return undefined;
    // The line matched within budget: the pattern's own exec gives the result in its usual shape.
    return this.pattern.exec(line);
  }
}
