// A custom access-log format (nginx `log_format` variables, Apache `LogFormat` directives) compiled to literals
// between variables, each variable with the field it fills and how its value is read.
import { UserError } from "../core/errors.js";

/** How a variable's value is read: the request parts analytics needs, typed numbers and times, or plain text. */
export type Role = "host" | "time" | "iso_time" | "msec" | "request" | "path" | "status" | "bytes" | "number" | "text";

export interface FormatVariable {
  /** The field it fills (`host`, `status`... for the known ones, the variable's own name otherwise). */
  field: string;
  role: Role;
  /** Between quotes in the format: a backslash-escaped quote inside the value does not end it. */
  quoted: boolean;
}

/** literals[i] comes before variables[i]; the last literal ends the line (empty: the last value runs to the end). */
export interface CompiledFormat {
  text: string;
  literals: string[];
  variables: FormatVariable[];
}

/** nginx's `combined`: what a `custom` format without access_format means, as in nginx itself. */
export const NGINX_COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

const NGINX: Record<string, [string, Role]> = {
  remote_addr: ["host", "host"],
  remote_user: ["user", "text"],
  time_local: ["time", "time"],
  time_iso8601: ["time", "iso_time"],
  msec: ["msec", "msec"],
  request: ["request", "request"],
  request_method: ["method", "text"],
  request_uri: ["path", "path"],
  uri: ["path", "path"],
  server_protocol: ["protocol", "text"],
  status: ["status", "status"],
  body_bytes_sent: ["bytes", "bytes"],
  bytes_sent: ["bytes_sent", "bytes"],
  http_referer: ["referer", "text"],
  http_user_agent: ["agent", "text"],
  request_time: ["request_time", "number"],
  request_length: ["request_length", "number"],
  connection: ["connection", "number"],
};

const APACHE: Record<string, [string, Role]> = {
  a: ["host", "host"],
  h: ["host", "host"],
  l: ["ident", "text"],
  u: ["user", "text"],
  t: ["time", "time"],
  r: ["request", "request"],
  s: ["status", "status"],
  b: ["bytes", "bytes"],
  B: ["bytes", "bytes"],
  D: ["request_time_us", "number"],
  T: ["request_time_s", "number"],
  m: ["method", "text"],
  U: ["path", "path"],
  q: ["query", "text"],
  H: ["protocol", "text"],
  v: ["server_name", "text"],
  V: ["server_name", "text"],
  p: ["port", "number"],
  P: ["pid", "number"],
  I: ["bytes_in", "number"],
  O: ["bytes_out", "number"],
  k: ["keepalive", "number"],
  X: ["connection_status", "text"],
  A: ["local_addr", "text"],
  f: ["filename", "text"],
};

/** Compile a format; a format logward cannot read back (two values with nothing between them) is a UserError. */
export function compileAccessFormat(text: string): CompiledFormat {
  const nginx = /\$(?:[A-Za-z_]|\{)/.test(text);
  const literals: string[] = [];
  const variables: FormatVariable[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const token = nginx ? nginxVariable(text, i) : apacheDirective(text, i);
    if (!token) {
      literal += text[i];
      i++;
      continue;
    }
    if (token.literal !== undefined) literal += token.literal;
    else {
      if (variables.length > 0 && literal + (token.before ?? "") === "")
        throw new UserError(
          "CONFIG_INVALID",
          `access format "${text}": ${variables.at(-1)!.field} and ${token.field} have nothing between them`,
        );
      literals.push(literal + (token.before ?? ""));
      variables.push({ field: token.field!, role: token.role!, quoted: false });
      literal = token.after ?? "";
    }
    i = token.end;
  }
  literals.push(literal);
  if (variables.length === 0) throw new UserError("CONFIG_INVALID", `access format "${text}" has no variables`);
  for (const [v, variable] of variables.entries())
    variable.quoted = literals[v]!.endsWith('"') && literals[v + 1]!.startsWith('"');
  uniqueFields(variables);
  return { text, literals, variables };
}

interface Token {
  end: number;
  /** Text the variable writes around its value (Apache's %t writes its time in brackets). */
  before?: string;
  after?: string;
  literal?: string;
  field?: string;
  role?: Role;
}

/** `$name` or `${name}` at text[i]. */
function nginxVariable(text: string, i: number): Token | undefined {
  if (text[i] !== "$") return undefined;
  const match = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i, i + 200));
  if (!match) return undefined;
  const name = (match[1] ?? match[2])!;
  const [field, role] = NGINX[name] ?? [name, "text"];
  return { end: i + match[0].length, field, role };
}

/** `%%`, or `%` [<>] [!]codes [{arg}] letter at text[i] (Apache mod_log_config). */
function apacheDirective(text: string, i: number): Token | undefined {
  if (text[i] !== "%") return undefined;
  if (text[i + 1] === "%") return { end: i + 2, literal: "%" };
  const match = /^%[<>]?(?:!?[0-9,]+)?(?:\{([^}]*)\})?([A-Za-z])/.exec(text.slice(i, i + 300));
  if (!match) return undefined;
  const arg = match[1];
  const letter = match[2]!;
  const brackets = letter === "t" && arg === undefined ? { before: "[", after: "]" } : {};
  return { end: i + match[0].length, ...apacheField(letter, arg), ...brackets };
}

function apacheField(letter: string, arg: string | undefined): { field: string; role: Role } {
  const name = (arg ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_");
  if (arg !== undefined && letter === "i") {
    if (name === "referer") return { field: "referer", role: "text" };
    if (name === "user_agent") return { field: "agent", role: "text" };
    return { field: name, role: "text" };
  }
  if (arg !== undefined && letter === "t") return { field: `time_${name}`, role: "text" };
  if (arg !== undefined && letter === "T") return { field: `request_time_${name}`, role: "number" };
  if (arg !== undefined) return { field: `${letter}_${name}`, role: "text" };
  const [field, role] = APACHE[letter] ?? [`apache_${letter}`, "text"];
  return { field, role };
}

/** A field named twice (`%h ... %a`) keeps the first name; the later ones get _2, _3, as plain text. */
function uniqueFields(variables: FormatVariable[]): void {
  const seen = new Map<string, number>();
  for (const variable of variables) {
    const count = (seen.get(variable.field) ?? 0) + 1;
    seen.set(variable.field, count);
    if (count > 1) {
      variable.field = `${variable.field}_${count}`;
      variable.role = "text";
    }
  }
}
