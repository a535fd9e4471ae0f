// Pattern syntax: /re/flags, |re| or %re% is a JavaScript regex; anything else a literal substring.
import { UserError } from "./errors.js";
import { translatePythonRegex, type RegexDialect } from "./python-regex.js";
import { literalOptions, literalSet, type LiteralSet } from "./literals.js";
import { branchLiterals, requiredLiteral } from "./regex-literals.js";

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
