// `${VAR}` / `${VAR:-default}` interpolation and the `.env` file that may sit beside a config.
import fs from "node:fs";

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
 * Parse a `.env` file: `KEY=value` lines, optional `export `, `#` comments, single quotes taken
 * literally, double quotes with \n \t \" \\ escapes. Lines that are not assignments are ignored.
 */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(rawLine);
    if (!m || m[1] === undefined) continue;
    vars[m[1]] = dotenvValue(m[2] ?? "");
  }
  return vars;
}

function dotenvValue(raw: string): string {
  const quote = raw[0];
  if ((quote === '"' || quote === "'") && raw.length >= 2) {
    const end = raw.lastIndexOf(quote);
    if (end > 0) {
      const body = raw.slice(1, end);
      if (quote === "'") return body;
      return body.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c as "n"] ?? c);
    }
  }
  const comment = raw.search(/\s#/); // an unquoted value ends at " #"
  return comment < 0 ? raw : raw.slice(0, comment).trimEnd();
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
