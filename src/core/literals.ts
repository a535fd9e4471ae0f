// Required literals of a regex: a set of strings of which every match contains at least one, for a prefilter.
// Each part of the regex is summarised bottom-up (as in Russ Cox's code search): the exact strings it can match
// when they are few, else the strings its matches start and end with and the sets some part of it must contain.
import { byteFrequency, commonRuns } from "./byte-frequency.js";

/** Every line a pattern matches contains one of `literals` (compared ASCII-case-insensitively when `fold`). */
export interface LiteralSet {
  readonly literals: readonly string[];
  /** Compare ignoring ASCII case; then `literals` are lower case. */
  readonly fold: boolean;
}

/** One literal to search for: `text` (lower case when `fold`, which compares ignoring ASCII case). */
export interface Literal {
  readonly text: string;
  readonly fold: boolean;
}

/** The literals of a set, one by one. */
export function literalsOf(set: LiteralSet): Literal[] {
  return set.literals.map((text) => ({ text, fold: set.fold }));
}

/** A unit (byte or UTF-16 code unit) with ASCII upper case folded to lower case. */
export function foldUnit(unit: number): number {
  return unit - 0x41 < 26 && unit >= 0x41 ? unit | 0x20 : unit;
}

/** Most strings a set keeps; a larger one is shortened (a substring of a required string is still required). */
const MAX_SET = 32;
/** Most characters a class may have and still be taken as that many one-character strings. */
const MAX_CLASS = 12;
/** The cost of each string of a set, as a share of lines let through. */
const PER_STRING = 0.001;
/** How much rarer each byte beyond the fourth makes a literal (its rarest three bytes are weighed already). */
const LONGER = 0.7;
/** A set expected in more than this share of lines is no use as a prefilter. */
const USELESS = 0.25;

/**
 * What every match of a piece of regex looks like. With `exact`, the piece matches exactly those strings (and
 * prefix/suffix/factors are unused); otherwise each match starts with one of `prefix`, ends with one of `suffix`
 * and contains one string of each of `factors`. A set holding "" says nothing.
 */
interface Info {
  exact: string[] | undefined;
  prefix: string[];
  suffix: string[];
  factors: string[][];
}

const anything = (): Info => ({ exact: undefined, prefix: [""], suffix: [""], factors: [] });
const exactly = (strings: string[]): Info => ({ exact: strings, prefix: [], suffix: [], factors: [] });
const EMPTY = (): Info => exactly([""]);

class GiveUp extends Error {}

/**
 * The best literal set for a regex (source and flags as RegExp takes them), or undefined when none is known or
 * the best one is too common to help. Never wrong: a line the regex matches always contains one of them.
 */
export function requiredLiterals(source: string, flags: string): LiteralSet | undefined {
  const fold = flags.includes("i");
  const unicode = flags.includes("u");
  // Unicode case folding maps non-ASCII characters onto ASCII ones (ſ → s, K → k): no byte-level folding then.
  // The v flag's class syntax (nested classes, set operations) is not read here.
  if ((fold && unicode) || flags.includes("v")) return undefined;
  let info: Info;
  try {
    const parser = new Parser(source, fold, unicode);
    info = parser.alternation();
    if (!parser.done()) return undefined;
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
  const set = bestSet(info, fold);
  if (!set || score(set, fold) > USELESS) return undefined;
  return { literals: set, fold };
}

/** The literal set of a plain substring pattern. */
export function literalSet(text: string): LiteralSet | undefined {
  return text.length > 0 ? { literals: [text], fold: false } : undefined;
}

/** Estimated share of lines containing one of the strings (lower is better); sets holding "" score 1. */
export function score(set: readonly string[], fold: boolean): number {
  // Each more string costs a little more to search for: of two equally rare sets, the smaller one wins.
  let total = set.length * PER_STRING;
  for (const s of set) {
    if (s === "") return 1;
    total += 1e-6 / s.length; // of two equally rare strings, the longer one lets fewer lines through
    total += stringScore(s, fold);
  }
  return Math.min(1, total);
}

/** stringScore of strings already scored: a set is scored again at each step of the summary. */
const scored = new Map<string, number>();

/** Estimated share of lines containing the string, from its bytes outside runs of common words. */
function stringScore(s: string, fold: boolean): number {
  const key = `${fold ? "i" : "-"}${s}`;
  let known = scored.get(key);
  if (known === undefined) {
    if (scored.size >= 100_000) scored.clear(); // bounded: configs are far smaller
    scored.set(key, (known = estimate(s, fold)));
  }
  return known;
}

function estimate(s: string, fold: boolean): number {
  const common = commonRuns(s);
  const rest = [...s].filter((_, i) => !common[i]).join("");
  const freqs = [...Buffer.from(rest)].map((b) => byteFrequency(b, fold)).sort((a, b) => a - b);
  if (freqs.length === 0) return 1;
  // Bytes of one string are not independent: count the rarest fully, the next ones less and less.
  const rarest = 80 * (freqs[0] ?? 1) * Math.sqrt(freqs[1] ?? 1) * Math.sqrt(Math.sqrt(freqs[2] ?? 1));
  return Math.min(1, rarest * LONGER ** Math.max(0, freqs.length - 4));
}

function bestSet(info: Info, fold: boolean): string[] | undefined {
  const candidates = info.exact ? [info.exact] : [...info.factors, info.prefix, info.suffix];
  let best: string[] | undefined;
  let bestScore = 1;
  for (const set of candidates) {
    const s = score(set, fold);
    if (set.length > 0 && s < bestScore) {
      best = set;
      bestScore = s;
    }
  }
  return best;
}

const unique = (strings: string[]): string[] => [...new Set(strings)];

/**
 * Shorten the longest strings of a set (keeping their start, or their end) until it has at most MAX_SET. A set
 * holding "" (or a string shortened to "") says nothing, and stays so.
 */
function trim(set: string[], keep: "start" | "end"): string[] {
  let out = unique(set);
  while (out.length > MAX_SET) {
    if (out.includes("")) return [""];
    const longest = Math.max(...out.map((s) => s.length));
    out = unique(out.map((s) => (s.length < longest ? s : keep === "start" ? s.slice(0, -1) : s.slice(1))));
  }
  return out;
}

function cross(a: string[], b: string[]): string[] {
  const x = trim(a, "end");
  const y = trim(b, "start");
  const out: string[] = [];
  for (const s of x) for (const t of y) out.push(s + t);
  return unique(out);
}

const starts = (info: Info): string[] => info.exact ?? info.prefix;
const ends = (info: Info): string[] => info.exact ?? info.suffix;
const says = (set: string[] | undefined): set is string[] => set !== undefined && !set.includes("");

function concat(x: Info, y: Info): Info {
  if (x.exact && y.exact && x.exact.length * y.exact.length <= MAX_SET) return exactly(cross(x.exact, y.exact));
  const factors = [...x.factors, ...y.factors, ...[x.exact, y.exact].filter(says)];
  const middle = trim(cross(ends(x), starts(y)), "start");
  if (says(middle)) factors.push(middle);
  return {
    exact: undefined,
    prefix: x.exact ? trim(cross(x.exact, starts(y)), "start") : x.prefix,
    suffix: y.exact ? trim(cross(ends(x), y.exact), "end") : y.suffix,
    factors: factors.filter(says),
  };
}

function alternate(x: Info, y: Info, fold: boolean): Info {
  if (x.exact && y.exact && x.exact.length + y.exact.length <= MAX_SET)
    return exactly(unique([...x.exact, ...y.exact]));
  const bx = bestSet(x, fold);
  const by = bestSet(y, fold);
  const either = bx && by ? trim([...bx, ...by], "start") : undefined;
  return {
    exact: undefined,
    prefix: trim([...starts(x), ...starts(y)], "start"),
    suffix: trim([...ends(x), ...ends(y)], "end"),
    factors: says(either) ? [either] : [],
  };
}

/** One or more copies of x: starts like x, ends like x, contains what x contains. */
function plus(x: Info): Info {
  return {
    exact: undefined,
    prefix: starts(x),
    suffix: ends(x),
    factors: [...x.factors, ...[x.exact].filter(says)],
  };
}

function power(x: Info, n: number): Info {
  let out = EMPTY();
  for (let i = 0; i < n; i++) out = concat(out, x);
  return out;
}

/** x{min,max} (max Infinity when open). */
function repeat(x: Info, min: number, max: number, fold: boolean): Info {
  if (max === 0) return EMPTY();
  if (min === 0) {
    if (!x.exact || max > 3) return anything();
    let out = EMPTY();
    for (let n = 1; n <= max; n++) out = alternate(out, power(x, n), fold);
    return out;
  }
  const copies = Math.min(min, 4);
  if (min === max && min <= 4) return power(x, min);
  return concat(power(x, copies - 1), plus(x)); // at least `copies` copies, the last one possibly repeated
}

const HEX = /^[0-9A-Fa-f]+$/;

/** A recursive-descent reader of JavaScript regex syntax, summarising as it goes. */
class Parser {
  private i = 0;

  constructor(
    private readonly src: string,
    private readonly fold: boolean,
    private readonly unicode: boolean,
  ) {}

  done(): boolean {
    return this.i >= this.src.length;
  }

  alternation(): Info {
    let info = this.sequence();
    while (this.src[this.i] === "|") {
      this.i++;
      info = alternate(info, this.sequence(), this.fold);
    }
    return info;
  }

  private sequence(): Info {
    let info = EMPTY();
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")")
      info = concat(info, this.quantified(this.atom()));
    return info;
  }

  private quantified(atom: Info): Info {
    const ch = this.src[this.i];
    let info = atom;
    if (ch === "*") info = anything();
    else if (ch === "+") info = plus(atom);
    else if (ch === "?") info = alternate(atom, EMPTY(), this.fold);
    else if (ch === "{") {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!braces) return atom; // a literal "{" (outside unicode mode), read as the next atom
      const min = Number(braces[1]);
      const max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
      this.i += braces[0].length - 1;
      info = repeat(atom, min, max, this.fold);
    } else return atom;
    this.i++;
    if (this.src[this.i] === "?") this.i++; // lazy: the same strings
    return info;
  }

  private atom(): Info {
    const ch = this.src[this.i] as string;
    if (ch === "(") return this.group();
    if (ch === "[") return this.characterClass();
    if (ch === "\\") return this.escape();
    this.i++;
    if (ch === "^" || ch === "$") return EMPTY();
    if (ch === ".") return anything();
    return this.char(this.codePointFrom(ch));
  }

  /** In unicode mode a surrogate pair is one character. */
  private codePointFrom(ch: string): string {
    if (!this.unicode) return ch;
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const full = this.src.codePointAt(this.i - 1) as number;
      if (full > 0xffff) {
        this.i++;
        return String.fromCodePoint(full);
      }
    }
    return ch;
  }

  /** One character: itself, folded to lower case under `i`, where a non-ASCII one could be anything. */
  private char(ch: string): Info {
    if (!this.fold) return exactly([ch]);
    return ch.length === 1 && ch.charCodeAt(0) < 0x80 ? exactly([ch.toLowerCase()]) : anything();
  }

  private group(): Info {
    const rest = this.src.slice(this.i, this.i + 4);
    let zeroWidth = false;
    if (rest.startsWith("(?:")) this.i += 3;
    else if (/^\(\?<?[=!]/.test(rest)) {
      zeroWidth = true;
      this.i += rest[2] === "<" ? 4 : 3;
    } else if (rest.startsWith("(?<")) {
      const close = this.src.indexOf(">", this.i);
      if (close < 0) throw new GiveUp();
      this.i = close + 1;
    } else if (rest.startsWith("(?"))
      throw new GiveUp(); // modifiers or syntax this reader does not know
    else this.i += 1;
    const inner = this.alternation();
    if (this.src[this.i] !== ")") throw new GiveUp();
    this.i++;
    return zeroWidth ? EMPTY() : inner;
  }

  private escape(): Info {
    const e = this.src[this.i + 1];
    if (e === undefined) throw new GiveUp();
    this.i += 2;
    if (e === "b" || e === "B") return EMPTY();
    if (e === "d") return exactly([..."0123456789"]);
    const ch = this.escapedChar(e);
    return ch === undefined ? anything() : this.char(ch);
  }

  /** The character an escape (after its backslash and letter `e`) stands for; undefined when not one known one. */
  private escapedChar(e: string): string | undefined {
    const fixed: Record<string, string> = { t: "\t", n: "\n", r: "\r", v: "\v", f: "\f" };
    if (fixed[e] !== undefined) return fixed[e];
    if (/[DwWsSpPk1-9]/.test(e)) {
      this.skipEscapeTail(e);
      return undefined;
    }
    if (e === "0") return /\d/.test(this.src[this.i] ?? "") ? this.unknownDigits() : "\0";
    if (e === "x") return this.hexChar(2) ?? "x";
    if (e === "u") return this.unicodeEscape();
    if (e === "c") {
      const letter = this.src[this.i] ?? "";
      if (!/[A-Za-z]/.test(letter)) return undefined;
      this.i++;
      return String.fromCharCode(letter.charCodeAt(0) % 32);
    }
    return e; // an escaped syntax character or an identity escape
  }

  private unknownDigits(): undefined {
    while (/\d/.test(this.src[this.i] ?? "")) this.i++;
    return undefined;
  }

  /** Skip what follows \p, \k or a back-reference's first digit; the atom is then "anything". */
  private skipEscapeTail(e: string): void {
    const next = this.src[this.i];
    if ((e === "p" || e === "P") && next === "{") this.i = this.closing("}");
    else if (e === "k" && next === "<") this.i = this.closing(">");
    else if (/\d/.test(e)) this.unknownDigits();
  }

  private closing(close: string): number {
    const end = this.src.indexOf(close, this.i);
    if (end < 0) throw new GiveUp();
    return end + 1;
  }

  private hexChar(count: number): string | undefined {
    const digits = this.src.slice(this.i, this.i + count);
    if (digits.length !== count || !HEX.test(digits)) return undefined;
    this.i += count;
    return String.fromCharCode(parseInt(digits, 16));
  }

  private unicodeEscape(): string {
    if (this.unicode && this.src[this.i] === "{") {
      const end = this.closing("}");
      const cp = parseInt(this.src.slice(this.i + 1, end - 1), 16);
      this.i = end;
      return String.fromCodePoint(cp);
    }
    const unit = this.hexChar(4);
    if (unit === undefined) return "u";
    // A surrogate pair written as two \u escapes is one character in unicode mode: read the pair whole.
    const code = unit.charCodeAt(0);
    if (this.unicode && code >= 0xd800 && code <= 0xdbff && this.src.startsWith("\\u", this.i)) {
      const at = this.i;
      this.i += 2;
      const low = this.hexChar(4);
      if (low !== undefined) return unit + low;
      this.i = at;
    }
    return unit;
  }

  /** A class: its characters when it has few (folded under `i`), else anything. */
  private characterClass(): Info {
    this.i++;
    const negated = this.src[this.i] === "^";
    if (negated) this.i++;
    const members = new Set<string>();
    let tooMany = false;
    while (this.i < this.src.length && this.src[this.i] !== "]") {
      const low = this.classAtom();
      if (low === undefined) {
        tooMany = true;
        continue;
      }
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]" && this.i + 1 < this.src.length) {
        this.i++;
        const high = this.classAtom();
        if (high === undefined) {
          tooMany = true;
          continue;
        }
        const from = low.codePointAt(0) as number;
        const to = high.codePointAt(0) as number;
        if (to - from >= MAX_CLASS * 2) tooMany = true;
        else for (let c = from; c <= to; c++) members.add(String.fromCodePoint(c));
      } else members.add(low);
    }
    if (this.src[this.i] !== "]") throw new GiveUp();
    this.i++;
    if (negated || tooMany || members.size === 0) return anything();
    return this.classSet(members);
  }

  private classSet(members: Set<string>): Info {
    const out = new Set<string>();
    for (const m of members) {
      if (this.fold && (m.length !== 1 || m.charCodeAt(0) >= 0x80)) return anything();
      out.add(this.fold ? m.toLowerCase() : m);
    }
    return out.size > MAX_CLASS ? anything() : exactly([...out]);
  }

  /** One member of a class; undefined for a class escape (\d, \w, \p{…}) or one not understood. */
  private classAtom(): string | undefined {
    const ch = this.src[this.i] as string;
    if (ch !== "\\") {
      this.i++;
      return this.codePointFrom(ch);
    }
    const e = this.src[this.i + 1];
    if (e === undefined) throw new GiveUp();
    this.i += 2;
    if (e === "b") return "\b";
    if (e === "-") return "-";
    if (e === "d") return undefined;
    return this.escapedChar(e);
  }
}
