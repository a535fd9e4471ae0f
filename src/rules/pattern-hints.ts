// Warnings for rule patterns that a hostile line could make backtrack catastrophically (shown by check and run).
import { parsePattern } from "../core/pattern.js";
import { canRunLinear, enableLinearFallback, nestedQuantifier } from "../core/pattern-risk.js";
import type { RuleConfig } from "./schema.js";

/** One hint per rule pattern that nests quantifiers; invalid patterns are the schema's to report. */
export function patternHints(rules: Record<string, RuleConfig>): string[] {
  const hints: string[] = [];
  const linear = enableLinearFallback();
  for (const [name, rule] of Object.entries(rules)) {
    for (const text of [...(rule.match ?? []), ...(rule.exclude ?? [])]) {
      const hint = patternHint(name, text, linear);
      if (hint) hints.push(hint);
    }
  }
  return hints;
}

function patternHint(rule: string, text: string, linear: boolean): string | undefined {
  let re: RegExp | undefined;
  try {
    re = parsePattern(text).regex;
  } catch {
    return undefined;
  }
  const nested = re && nestedQuantifier(re.source);
  if (!re || !nested) return undefined;
  const head =
    `rule ${rule}: pattern ${text} nests quantifiers (${nested}), ` +
    "which backtracks exponentially on a hostile line";
  if (linear && canRunLinear(re))
    return (
      `${head}; it falls back to V8's linear-time engine when that happens (slower, never stuck), ` +
      "but better write it without the nesting"
    );
  return (
    `${head}, and with a backreference, lookaround or the i/u flag it cannot fall back to linear time: it runs ` +
    `with a time budget per line (slower, and a line over budget counts as not matching); write it without the nesting`
  );
}
