// Pattern syntax: /re/flags, |re| or %re% is a JavaScript regex; anything else a literal substring.
import { UserError } from "./errors.js";
import { translatePythonRegex, type RegexDialect } from "./python-regex.js";
import { literalOptions, literalSet, type LiteralSet } from "./literals.js";

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
  /** The compiled regex of a regex pattern (so it can be run elsewhere: a worker, the linear engine). */
  readonly regex?: RegExp;
  /** The literals of which every matching line contains one, for the prefilters (see literals.ts). */
  readonly prefilter: LiteralSet | undefined;
  /**
   * Every literal set that could serve as `prefilter` (it first), for a caller that counts them in real lines and
   * keeps the rarest; absent or empty when there is only `prefilter`.
   */
  readonly prefilterOptions?: readonly LiteralSet[];
  test(line: string): boolean;
  exec(line: string): MatchResult | undefined;
}

const REGEX_FORMS: { open: string; close: string; flags: boolean }[] = [
  { open: "/", close: "/", flags: true },
  { open: "|", close: "|", flags: false },
  { open: "%", close: "%", flags: false },
];

/**
 * Patterns parsed lately, by text: loading a config parses each rule's pattern three times (its schema, the hints,
 * the engine), and compiling a regex is the dear part of a start with many rules. Patterns are immutable and
 * their regexes carry no `g`/`y` state, so one serves every caller. Bounded: search patterns come from users. The
 * bound is well above the patterns of a large config: one just past it would be cleared on each of the three
 * passes and compile every pattern three times.
 */
const parsed = new Map<string, Pattern>();
export const PARSED_MAX = 20_000;

/** Parse the pattern syntax; throws UserError(PATTERN_INVALID) for a bad regex. */
export function parsePattern(text: string): Pattern {
  let pattern = parsed.get(text);
  if (pattern) return pattern;
  pattern = parseUncached(text);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, pattern);
  return pattern;
}

function parseUncached(text: string): Pattern {
  for (const form of REGEX_FORMS) {
    const body = regexBody(text, form);
    if (body) return compileRegex(text, body.source, body.flags, "logward");
  }
  return literalPattern(text);
}

/**
 * A regex from its source and flags, Python syntax read as the dialect says (python-regex.ts): `text` names it in
 * errors. Throws UserError(PATTERN_INVALID or PATTERN_UNSUPPORTED).
 */
export function compileRegex(text: string, source: string, flags: string, dialect: RegexDialect): Pattern {
  const js = translatePythonRegex(source, flags, dialect);
  return regexPattern(text, js.source, js.flags);
}

function regexBody(
  text: string,
  form: { open: string; close: string; flags: boolean },
): { source: string; flags: string } | undefined {
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
  return new RegexPattern(text, source, re);
}

/**
 * A regex pattern. A class, not an object of closures: a config of a thousand rules keeps a thousand of them (in
 * `parsed` and in the rules), and accessors and methods on the prototype cost no memory per pattern.
 */
class RegexPattern implements Pattern {
  readonly kind = "regex";

  constructor(
    readonly source: string,
    /** The regex source as written (the Python dialect translated), which the required literals are read from. */
    private readonly body: string,
    readonly regex: RegExp,
  ) {}

  private get fold(): boolean {
    return this.regex.flags.includes("i");
  }

  get required(): string | undefined {
    return this.fold ? undefined : requiredLiteral(this.body);
  }

  get requiredAny(): readonly string[] | undefined {
    if (this.fold) return undefined;
    const required = requiredLiteral(this.body);
    return required !== undefined ? [required] : branchLiterals(this.body);
  }

  /**
   * Worked out on each read, not kept: validating a config or listing its hints needs no literals, the rules engine
   * reads them once and keeps only the sets it uses, and a pattern stays in `parsed` long after that.
   */
  get prefilter(): LiteralSet | undefined {
    return this.prefilterOptions[0];
  }

  get prefilterOptions(): readonly LiteralSet[] {
    return literalOptions(this.regex.source, this.regex.flags);
  }

  test(line: string): boolean {
    return this.regex.test(line);
  }

  exec(line: string): MatchResult | undefined {
    const m = this.regex.exec(line);
    if (!m) return undefined;
    if (m.groups === undefined) return { match: m[0], groups: NO_GROUPS };
    const groups: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
    return { match: m[0], groups };
  }
}

/** The groups of every match of a regex without named groups: frozen, as all its matches share it. */
const NO_GROUPS: Record<string, string> = Object.freeze({});

function literalPattern(text: string): Pattern {
  return new LiteralPattern(text);
}

/** A literal substring pattern (a class for the same reason as RegexPattern). */
class LiteralPattern implements Pattern {
  readonly kind = "literal";

  constructor(readonly source: string) {}

  get required(): string | undefined {
    return this.source.length > 0 ? this.source : undefined;
  }

  get requiredAny(): readonly string[] | undefined {
    return this.source.length > 0 ? [this.source] : undefined;
  }

  get prefilter(): LiteralSet | undefined {
    return literalSet(this.source);
  }

  test(line: string): boolean {
    return line.includes(this.source);
  }

  exec(line: string): MatchResult | undefined {
    return line.includes(this.source) ? { match: this.source, groups: {} } : undefined;
  }
}

/**
 * The longest literal run that every match of a regex must contain, or undefined when none is known.
 * Conservative, so a prefilter can never drop a match: a class or an escape like \\d is one unknown character; a
 * group is opaque, except that a group that must occur (no `?`, `*` or `{`) lends the literal it requires itself;
 * a top-level alternation has none here (see branchLiterals).
 */
export function requiredLiteral(source: string): string | undefined {
  if (topLevelBranches(source).length > 1) return undefined;
  let best = "";
  let run = "";
  const consider = (literal: string): void => {
    if (literal.length > best.length) best = literal;
  };
  const close = (): void => {
    consider(run);
    run = "";
  };
  for (let i = 0; i < source.length;) {
    const atom = readAtom(source, i);
    const quantifier = source[atom.next];
    i = atom.next;
    if (quantifier === "*" || quantifier === "?" || quantifier === "{") {
      close(); // the atom may be absent or repeated: the run cannot cross it
      i = skipQuantifier(source, atom.next);
      continue;
    }
    if (atom.literal === undefined) {
      close();
      if (atom.group !== undefined) consider(requiredLiteral(atom.group) ?? "");
      if (quantifier === "+") i = skipQuantifier(source, atom.next);
      continue;
    }
    run += atom.literal;
    if (quantifier === "+") {
      close(); // present at least once, but what follows may be another copy of it
      i = skipQuantifier(source, atom.next);
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

interface Atom {
  /** The one character it matches, when it is a plain one. */
  literal: string | undefined;
  /** A group's inner source, when the group must match (not a lookaround). */
  group?: string;
  next: number;
}

/** One regex atom at i: a character, an escape, a class or a whole group, and where it ends. */
function readAtom(source: string, i: number): Atom {
  const ch = source[i] as string;
  if (ch === "\\") return readEscape(source, i);
  if (ch === "[") return { literal: undefined, next: closingBracket(source, i) + 1 };
  if (ch === "(") return readGroup(source, i);
  if (/[.^$*+?{}|)]/.test(ch)) return { literal: undefined, next: i + 1 };
  return { literal: ch, next: i + 1 };
}

/** An escape: a literal for an escaped syntax character, else an unknown character of the right length. */
function readEscape(source: string, i: number): Atom {
  const escaped = source[i + 1] ?? "";
  if (/[.*+?^${}()|[\]\\/-]/.test(escaped)) return { literal: escaped, next: i + 2 };
  const braced = (at: number): number => (source[at] === "{" ? closingOf(source, at, "}") + 1 : at);
  let next = i + 2;
  // Without its digits, \u, \x or \c is a plain letter (Annex B): then take just the two characters.
  const hex = (count: number): boolean => new RegExp(`^[0-9A-Fa-f]{${count}}`).test(source.slice(i + 2));
  if (escaped === "u") next = source[i + 2] === "{" ? braced(i + 2) : hex(4) ? i + 6 : i + 2;
  else if (escaped === "x") next = hex(2) ? i + 4 : i + 2;
  else if (escaped === "c") next = /[A-Za-z]/.test(source[i + 2] ?? "") ? i + 3 : i + 2;
  else if (escaped === "p" || escaped === "P") next = braced(i + 2);
  else if (escaped === "k") next = source[i + 2] === "<" ? closingOf(source, i + 2, ">") + 1 : i + 2;
  else if (/\d/.test(escaped)) while (/\d/.test(source[next] ?? "")) next++;
  return { literal: undefined, next: Math.min(next, source.length) };
}

/** A group: opaque to the run; its inner source is offered when it is not a lookaround. */
function readGroup(source: string, i: number): Atom {
  const end = closingParen(source, i);
  const head = /^\(\?(?:<[A-Za-z_$][\w$]*>|:)?/.exec(source.slice(i, i + 40));
  const lookaround = /^\(\?<?[=!]/.test(source.slice(i, i + 4));
  const inner = source.slice(i + (head?.[0].length ?? 1), end);
  return lookaround ? { literal: undefined, next: end + 1 } : { literal: undefined, group: inner, next: end + 1 };
}

/** Index of the `]` closing the class opened at i (escapes skipped), or the end. */
function closingBracket(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === "]") return j;
  }
  return source.length;
}

/** Index of the `)` closing the group opened at i, past nested groups, classes and escapes, or the end. */
function closingParen(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const ch = source[j];
    if (ch === "\\") j++;
    else if (ch === "[") j = closingBracket(source, j);
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return j;
  }
  return source.length;
}

function closingOf(source: string, at: number, close: string): number {
  const end = source.indexOf(close, at);
  return end < 0 ? source.length : end;
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
