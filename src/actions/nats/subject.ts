// Subject templates ("logs.{source}"): validation, rendering with safe tokens, and the stream subjects they imply.

export const PLACEHOLDERS = ["source", "rule", "host"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type SubjectValues = Record<Placeholder, string>;

const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

/** A problem with the template, or undefined when it is usable. */
export function checkTemplate(template: string): string | undefined {
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1] as string)) {
      return `unknown placeholder {${m[1]}} (use ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`;
    }
  }
  const literal = template.replace(PLACEHOLDER_RE, "x");
  if (/[{}]/.test(literal)) return "unbalanced { or } in subject";
  if (/[\s*>]/.test(literal)) return "a subject to publish to cannot contain spaces, * or >";
  if (literal.split(".").some((token) => token === ""))
    return "a subject cannot have empty tokens (leading, trailing or double dots)";
  return undefined;
}

/**
 * A value as one subject token: anything other than letters, digits, "_" and "-" becomes "_" (a dot would
 * add a level, * and > are wildcards), so "web1.example.com" publishes under "web1_example_com".
 */
export function subjectToken(value: string): string {
  const token = value.replace(/[^A-Za-z0-9_-]/g, "_");
  return token === "" ? "_" : token;
}

export function renderSubject(template: string, values: SubjectValues): string {
  return template.replace(PLACEHOLDER_RE, (_, name: string) => subjectToken(values[name as Placeholder] ?? ""));
}

/**
 * The stream subjects a template needs: the literal tokens before the first placeholder, then ">"
 * ("logs.{source}" → "logs.>"); the template itself when it has no placeholder; undefined when it
 * starts with one (a stream on ">" would swallow every subject: the user must say which).
 */
export function streamSubjects(template: string): string[] | undefined {
  const tokens = template.split(".");
  const first = tokens.findIndex((t) => t.includes("{"));
  if (first < 0) return [template];
  if (first === 0) return undefined;
  return [[...tokens.slice(0, first), ">"].join(".")];
}
