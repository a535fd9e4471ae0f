// The reader of literals.ts: JavaScript regex syntax, summarised piece by piece as it is read.
import { alternate, anything, concat, EMPTY, exactly, LINE_START, plus, repeat, type Info } from "./literal-algebra.js";

/** Most characters a class may have and still be taken as that many one-character strings. */
const MAX_CLASS = 12;

/** Syntax this reader does not know: no literal set then. */
export class GiveUp extends Error {}

const HEX = /^[0-9A-Fa-f]+$/;
/** Characters with a meaning of their own in a regex (outside a class); escaped, each stands for itself. */
const SYNTAX = new Set([..."\\^$.|?*+()[]{}"]);
/** Escapes standing for the character itself that a run of plain characters takes in. */
const ESCAPED_SELF = new Set([...SYNTAX, "/", "-"]);
const QUANTIFIERS = new Set(["*", "+", "?", "{"]);
/** Escapes standing for one control character. */
const CONTROL: Record<string, string> = { t: "\t", n: "\n", r: "\r", v: "\v", f: "\f" };

/** A recursive-descent reader of JavaScript regex syntax, summarising as it goes. */
export class Parser {
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
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const run = this.literalRun();
      info = concat(info, run !== undefined ? exactly([run]) : this.quantified(this.atom()));
    }
    return info;
  }

  /**
   * Plain characters (escaped syntax characters included) up to one that is not or that a quantifier follows,
   * read at once: one step of the summary instead of one per character. undefined when there are none.
   */
  private literalRun(): string | undefined {
    let run = "";
    let at = this.i;
    for (;;) {
      const ch = this.src[at];
      let next = at + 1;
      let literal = ch ?? "";
      if (ch === "\\") {
        literal = this.src[at + 1] ?? "";
        next = at + 2;
        if (!ESCAPED_SELF.has(literal)) break;
      } else if (ch === undefined || SYNTAX.has(ch) || (ch.charCodeAt(0) >= 0x80 && (this.fold || this.unicode))) break;
      if (QUANTIFIERS.has(this.src[next] ?? "")) break;
      run += this.fold ? literal.toLowerCase() : literal;
      at = next;
    }
    if (run === "") return undefined;
    this.i = at;
    return run;
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
    // A line (see LINE_START) is read as if a newline came before it, so `^foo` requires "\nfoo": found only at the
    // start of a line (or after a newline inside a multiline record, which only lets more lines through).
    if (ch === "^") return exactly([LINE_START]);
    if (ch === "$") return EMPTY(); // a line's \r\n ending is cut from its text but not from its bytes
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
    if (CONTROL[e] !== undefined) return CONTROL[e];
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
