// Python `re` syntax → JavaScript RegExp: what migrating users' patterns (logs2eca was a Python tool) are written in.
import { UserError } from "./errors.js";

/**
 * `python`: the pattern is Python's (logs2eca): everything Python means is translated or refused.
 * `logward`: the pattern is JavaScript's; only constructs that are errors or silent surprises in JavaScript
 * (`(?P<name>`, `(?P=name)`, a leading `(?i)`, `\A`, `\Z`) are read as Python's, so no valid JS regex changes meaning.
 */
export type RegexDialect = "python" | "logward";

export interface TranslatedRegex {
  source: string;
  /** JavaScript flags, the given ones plus those of leading inline groups (`(?i)` → i). */
  flags: string;
}

/** Inline flags: Python's letter → JavaScript's ("" where JavaScript already behaves so). */
const INLINE_FLAGS: Record<string, string> = { i: "i", m: "m", s: "s", x: "", a: "", u: "" };

/** Whether this JavaScript engine knows scoped modifiers `(?i:...)` (V8 12.4+, Node 23+) for i, m and s. */
const SCOPED_FLAGS_OK = ((): boolean => {
  try {
    new RegExp("(?i:a)");
    return true;
  } catch {
    return false;
  }
})();
const SCOPED = SCOPED_FLAGS_OK ? "scoped inline flags other than i, m, s" : "scoped inline flags (?flags:...)";

/** What JavaScript cannot express, by the syntax that introduces it. */
const UNSUPPORTED: { test: RegExp; what: string }[] = [
  { test: /^\(\?\(/, what: "conditional groups (?(id)yes|no)" },
  { test: /^\(\?>/, what: "atomic groups (?>...)" },
  { test: SCOPED_FLAGS_OK ? /^\(\?(?=[-ims]*[aLux])[-aiLmsux]+:/ : /^\(\?(?=-?[aiLmsux])[-aiLmsux]+:/, what: SCOPED },
  { test: /^\(\?[aiLmsux]+\)/, what: "inline flags (?flags) anywhere but at the start" },
  { test: /^\\N\{/, what: "named characters \\N{...}" },
];

/** Translate a Python-style regex; throws UserError(PATTERN_UNSUPPORTED) for what has no JavaScript equivalent. */
export function translatePythonRegex(source: string, flags: string, dialect: RegexDialect): TranslatedRegex {
  const leading = leadingFlags(source);
  let body = source.slice(leading.length);
  if (leading.flags.includes("x")) body = stripVerbose(body);
  if (leading.flags.includes("L")) unsupported(source, "locale flag (?L)");
  const out = translateBody(body, source, dialect);
  const inline = [...leading.flags].map((f) => INLINE_FLAGS[f] ?? "").join("");
  return { source: out, flags: [...new Set(flags + inline)].join("") };
}

/** Flags of the inline groups at the very start (`(?i)(?s)…`), and how many characters they take. */
function leadingFlags(source: string): { flags: string; length: number } {
  let flags = "";
  let length = 0;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(source); m; m = /^\(\?([aiLmsux]+)\)/.exec(source.slice(length))) {
    flags += m[1];
    length += m[0].length;
  }
  return { flags, length };
}

function translateBody(body: string, whole: string, dialect: RegexDialect): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < body.length;) {
    const ch = body[i] as string;
    // Most characters of a logward pattern stand for themselves: no rest of the body cut for them (every rule's
    // pattern is read here at every start).
    if (dialect !== "python" && !inClass && ch !== "\\" && ch !== "[" && ch !== "(") {
      out += ch;
      i++;
      continue;
    }
    const rest = body.slice(i);
    if (ch === "\\") {
      const escape = body.slice(i, i + 2);
      out += inClass ? escape : translateEscape(rest, whole, dialect);
      i += escape.length;
    } else if (inClass) {
      inClass = ch !== "]";
      out += ch;
      i++;
    } else if (ch === "[") {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal in Python; JavaScript would close an empty class there.
      const head = dialect === "python" ? /^\[\^?\]/.exec(rest) : null;
      out += head ? `${head[0].slice(0, -1)}\\]` : "[";
      i += head ? head[0].length : 1;
    } else if (ch === "(") {
      const group = translateGroup(rest, whole, dialect);
      out += group.text;
      i += group.length;
    } else {
      const quantifier = translateQuantifier(rest, whole, dialect);
      out += quantifier.text;
      i += quantifier.length;
    }
  }
  return out;
}

/** `\A` and `\Z` (and Python 3.14's `\z`) are anchors at the ends of the whole line. */
function translateEscape(rest: string, whole: string, dialect: RegexDialect): string {
  const escape = rest.slice(0, 2);
  if (escape === "\\A") return "(?<![\\s\\S])";
  if (escape === "\\Z" || (dialect === "python" && escape === "\\z")) return "(?![\\s\\S])";
  if (dialect === "python" && /^\\N\{/.test(rest)) unsupported(whole, "named characters \\N{...}");
  return escape;
}

function translateGroup(rest: string, whole: string, dialect: RegexDialect): { text: string; length: number } {
  const named = /^\(\?P<([A-Za-z_]\w*)>/.exec(rest);
  if (named) return { text: `(?<${named[1]}>`, length: named[0].length };
  const backref = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest);
  if (backref) return { text: `\\k<${backref[1]}>`, length: backref[0].length };
  if (dialect === "python") {
    const comment = /^\(\?#[^)]*\)/.exec(rest);
    if (comment) return { text: "", length: comment[0].length };
    for (const { test, what } of UNSUPPORTED) if (test.test(rest)) unsupported(whole, what);
  } else if (/^\(\?[aiLmsux]+\)/.test(rest)) {
    unsupported(whole, "inline flags (?flags) anywhere but at the start");
  }
  return { text: "(", length: 1 };
}

/** Python's `{,n}` is `{0,n}`; its possessive quantifiers (`a*+`, 3.11+) have no JavaScript form. */
function translateQuantifier(rest: string, whole: string, dialect: RegexDialect): { text: string; length: number } {
  if (dialect !== "python") return { text: rest[0] as string, length: 1 };
  const upTo = /^\{,(\d+)\}/.exec(rest);
  if (upTo) return { text: `{0,${upTo[1]}}`, length: upTo[0].length };
  if (/^(?:[*+?]|\{\d*,?\d*\})\+/.test(rest)) unsupported(whole, "possessive quantifiers (*+, ++, ?+, {m,n}+)");
  return { text: rest[0] as string, length: 1 };
}

/** Verbose mode (?x): whitespace and `#` comments outside classes and escapes are not part of the pattern. */
export function stripVerbose(body: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === "\\") {
      out += body.slice(i, i + 2);
      i++;
    } else if (inClass) {
      inClass = ch !== "]";
      out += ch;
    } else if (ch === "#") {
      while (i < body.length && body[i] !== "\n") i++;
    } else if (!/\s/.test(ch)) {
      if (ch === "[") inClass = true;
      out += ch;
    }
  }
  return out;
}

function unsupported(pattern: string, what: string): never {
  throw new UserError(
    "PATTERN_UNSUPPORTED",
    `regex ${pattern}: JavaScript has no ${what}; rewrite the pattern without it`,
  );
}
