// `${VAR}` / `${VAR:-default}` interpolation and the `.env` file that may sit beside a config.
import fs from "node:fs";
import { parseEnv } from "node:util";

export type Env = Record<string, string | undefined>;

/** What interpolating one string gave: the text, or the problems that stopped it. */
export type Interpolated = { ok: true; value: string; changed: boolean } | { ok: false; errors: string[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replace `${VAR}` and `${VAR:-default}` (default also when VAR is empty, as in the shell); `$$` is a
 * literal `$`; any other `$` stays as it is, so `$(cmd)` and `$HOME` in commands pass through.
 */
export function interpolate(text: string, env: Env): Interpolated {
  if (!text.includes("$")) return { ok: true, value: text, changed: false };
  const errors: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) break;
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = text.indexOf("}", dollar + 2);
      if (close < 0) {
        errors.push(`unterminated "\${" (write "$$" for a literal dollar)`);
        return { ok: false, errors };
      }
      const result = expand(text.slice(dollar + 2, close), env);
      if (typeof result === "string") out += result;
      else errors.push(result.error);
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  out += text.slice(i);
  return errors.length ? { ok: false, errors } : { ok: true, value: out, changed: out !== text };
}

/** One `${...}` body: `VAR` or `VAR:-default`. */
function expand(body: string, env: Env): string | { error: string } {
  const sep = body.indexOf(":-");
  const name = sep < 0 ? body : body.slice(0, sep);
  if (!NAME.test(name))
    return { error: `invalid variable reference "\${${body}}" (use \${NAME} or \${NAME:-default})` };
  const value = env[name];
  if (sep >= 0) return value === undefined || value === "" ? body.slice(sep + 2) : value;
  if (value === undefined)
    return { error: `environment variable ${name} is not set (set it, add it to .env, or write \${${name}:-default})` };
  return value;
}

/**
 * Parse a `.env` file with Node's own parser (util.parseEnv, the dotenv rules): `KEY=value` lines, optional
 * `export `, `#` comments, values in single, double or back quotes that may span lines, `\n` in double quotes.
 * Lines that are not assignments are emptied first: Node's parser would glue them (even an indented comment or a
 * line of spaces) to the next key. CRLF line ends inside a multi-line value become LF.
 */
export function parseDotenv(text: string): Record<string, string> {
  const parsed = parseEnv(assignmentsOnly(text));
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined && NAME.test(key)) vars[key] = value;
  return vars;
}

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/;
const QUOTES = ["'", '"', "`"];

/** The text with every line that is neither an assignment nor inside a quoted value emptied. */
function assignmentsOnly(text: string): string {
  const lines = text.split("\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const value = ASSIGNMENT.exec(line.replace(/\r$/, ""))?.[1];
    if (value === undefined) {
      kept.push(""); // even a blank or indented comment line would be glued to the next key
      continue;
    }
    kept.push(line);
    const quote = value[0];
    if (quote === undefined || !QUOTES.includes(quote) || value.indexOf(quote, 1) > 0) continue;
    // An opening quote: the value runs to the line holding the closing one (if none, Node reads it as one line).
    const close = lines.findIndex((next, j) => j > i && next.includes(quote));
    if (close < 0) continue;
    kept.push(...lines.slice(i + 1, close + 1));
    i = close;
  }
  return kept.join("\n");
}

/** The `.env` beside a config, or nothing when there is none. */
export function readDotenv(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  return parseDotenv(text);
}
