// Regexes that can backtrack catastrophically: a static check for nested quantifiers, and V8's linear-time fallback.
import v8 from "node:v8";

let linearEnabled: boolean | undefined;

/**
 * Turns on V8's linear-time regex engine as the fallback for a regex that backtracks too much: such a regex then
 * finishes in time linear in the line instead of exponential, and ordinary matching is not slowed. It only covers
 * regexes the engine can run (no backreferences, lookarounds, or i/u flags on Node 20). Process-wide; idempotent.
 */
export function enableLinearFallback(): boolean {
  if (linearEnabled !== undefined) return linearEnabled;
  try {
    v8.setFlagsFromString("--enable-experimental-regexp-engine");
    v8.setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
    linearEnabled = canRunLinear(/a/);
  } catch {
    linearEnabled = false;
  }
  return linearEnabled;
}

/** Whether V8's linear-time engine can run this regex (so an excessive backtrack falls back to it). */
export function canRunLinear(re: RegExp): boolean {
  try {
    new RegExp(re.source, `${re.flags.replace(/[gy]/g, "")}l`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first quantified group that contains a quantifier itself, like `(a+)+` or `(\w+\s?)*`: the shape whose
 * backtracking grows exponentially with the line. undefined when there is none. A static, conservative check:
 * it does not catch overlapping alternatives such as `(a|aa)+`.
 */
export function nestedQuantifier(source: string): string | undefined {
  const opens: { at: number; quantified: boolean }[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") i++;
    else if (ch === "[") i = classEnd(source, i);
    else if (ch === "(") opens.push({ at: i, quantified: false });
    else if (ch === ")") {
      const group = opens.pop();
      if (!group) continue;
      const repeats = repeatsAt(source, i + 1);
      if (group.quantified && repeats) return source.slice(group.at, i + 1 + quantifierLength(source, i + 1));
      // The group's own quantifier makes its parent hold a quantifier.
      const parent = opens[opens.length - 1];
      if (parent && (group.quantified || repeats)) parent.quantified = true;
    } else if (repeatsAt(source, i) && opens.length > 0) {
      (opens[opens.length - 1] as { quantified: boolean }).quantified = true;
    }
  }
  return undefined;
}

/** Whether a quantifier that can repeat (`*`, `+`, `{n,}`, `{n,m}` with m > 1) starts at i. */
function repeatsAt(source: string, i: number): boolean {
  const ch = source[i];
  if (ch === "*" || ch === "+") return true;
  if (ch !== "{") return false;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
  if (!m) return false;
  return m[2] !== undefined ? m[3] === "" || Number(m[3]) > 1 : Number(m[1]) > 1;
}

function quantifierLength(source: string, i: number): number {
  if (source[i] !== "{") return 1;
  const end = source.indexOf("}", i);
  return end < 0 ? 1 : end - i + 1;
}

function classEnd(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === "]") return j;
  }
  return source.length;
}
