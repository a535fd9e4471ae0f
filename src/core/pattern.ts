// Pattern syntax: /re/flags, |re| or %re% is a JavaScript regex; anything else a literal substring.
import { UserError } from "./errors.js";

export interface MatchResult {
  /** The matched text. */
  match: string;
  /** Named groups of a regex, empty for a literal. */
  groups: Record<string, string>;
}

export interface Pattern {
  readonly source: string;
  readonly kind: "literal" | "regex";
  /** A literal every matching line must contain, for a byte-level prefilter; undefined when none is known. */
  readonly required: string | undefined;
  /** Literals of which every matching line contains at least one (a top-level `a|b` has one per branch). */
  readonly requiredAny: readonly string[] | undefined;
  test(line: string): boolean;
  exec(line: string): MatchResult | undefined;
}

const REGEX_FORMS: { open: string; close: string; flags: boolean }[] = [
  { open: "/", close: "/", flags: true },
  { open: "|", close: "|", flags: false },
  { open: "%", close: "%", flags: false },
];

/** Parse the pattern syntax; throws UserError(PATTERN_INVALID) for a bad regex. */
export function parsePattern(text: string): Pattern {
  for (const form of REGEX_FORMS) {
    const body = regexBody(text, form);
    if (body) return regexPattern(text, body.source, body.flags);
  }
  return literalPattern(text);
}

function regexBody(text: string, form: { open: string; close: string; flags: boolean }): { source: string; flags: string } | undefined {
  if (text.length < 3 || !text.startsWith(form.open)) return undefined;
  const end = text.lastIndexOf(form.close);
  if (end <= 0) return undefined;
  const flags = text.slice(end + 1);
  if (flags && (!form.flags || !/^[imsu]*$/.test(flags))) return undefined;
  return { source: text.slice(1, end), flags };
}

function regexPattern(text: string, source: string, flags: string): Pattern {
  let re: RegExp;
  try {
    re = new RegExp(source, [...new Set(flags)].join(""));
  } catch (err) {
    throw new UserError("PATTERN_INVALID", `invalid regex ${text}: ${(err as Error).message}`, { cause: err });
  }
  const required = flags.includes("i") ? undefined : requiredLiteral(source);
  const requiredAny = flags.includes("i") ? undefined : required !== undefined ? [required] : branchLiterals(source);
  return {
    source: text,
    kind: "regex",
    required,
    requiredAny,
    test: (line) => re.test(line),
    exec(line) {
      const m = re.exec(line);
      if (!m) return undefined;
      const groups: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
      return { match: m[0], groups };
    },
  };
}

function literalPattern(text: string): Pattern {
  return {
    source: text,
    kind: "literal",
    required: text.length > 0 ? text : undefined,
    requiredAny: text.length > 0 ? [text] : undefined,
    test: (line) => line.includes(text),
    exec: (line) => (line.includes(text) ? { match: text, groups: {} } : undefined),
  };
}

/**
 * The longest literal run that every match of a simple regex must contain, or undefined.
 * Conservative: gives up on alternation, classes and groups, so a prefilter can never drop a match.
 */
export function requiredLiteral(source: string): string | undefined {
  if (/[|()[\]]/.test(source.replace(/\\./g, ""))) return undefined;
  let best = "";
  let run = "";
  const close = (): void => {
    if (run.length > best.length) best = run;
    run = "";
  };
  for (let i = 0; i < source.length; ) {
    const { literal, next } = readAtom(source, i);
    const quantifier = source[next];
    i = next;
    if (quantifier === "*" || quantifier === "?" || quantifier === "{") {
      close(); // the atom may be absent or repeated: the run cannot cross it
      i = skipQuantifier(source, next);
      continue;
    }
    if (literal === undefined) {
      close();
      continue;
    }
    run += literal;
    if (quantifier === "+") {
      close(); // present at least once, but what follows may be another copy of it
      i = next + 1;
    }
  }
  close();
  return best.length >= 2 ? best : undefined;
}

/**
 * For a regex whose top level is an alternation (`OutOfMemoryError|Killed process`), the required literal of
 * each branch; undefined when any branch has none (then a line may match without any known literal).
 */
export function branchLiterals(source: string): string[] | undefined {
  const branches = topLevelBranches(source);
  if (branches.length < 2) return undefined;
  const literals: string[] = [];
  for (const branch of branches) {
    const literal = requiredLiteral(branch);
    if (literal === undefined) return undefined;
    literals.push(literal);
  }
  return literals;
}

/** Split on `|` outside groups, classes and escapes. */
function topLevelBranches(source: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") i++;
    else if (inClass) inClass = ch !== "]";
    else if (ch === "[") inClass = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "|" && depth === 0) {
      branches.push(source.slice(start, i));
      start = i + 1;
    }
  }
  branches.push(source.slice(start));
  return branches;
}

/** One regex atom at i: its literal character (undefined for ., anchors, \d and the like) and where it ends. */
function readAtom(source: string, i: number): { literal: string | undefined; next: number } {
  const ch = source[i] as string;
  if (ch === "\\") {
    const escaped = source[i + 1] ?? "";
    const literal = /[.*+?^${}()|[\]\\/-]/.test(escaped) ? escaped : undefined;
    return { literal, next: i + 2 };
  }
  if (/[.^$*+?{}]/.test(ch)) return { literal: undefined, next: i + 1 };
  return { literal: ch, next: i + 1 };
}

function skipQuantifier(source: string, i: number): number {
  if (source[i] === "{") {
    const end = source.indexOf("}", i);
    i = end < 0 ? source.length : end + 1;
  } else {
    i++;
  }
  return source[i] === "?" ? i + 1 : i; // lazy quantifier
}
