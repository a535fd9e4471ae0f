// Batch prefilter of the rules engine: each line is searched once for the literals of every rule, and each hit
// names the rules that need it, so a rule's patterns run only on lines that can match it. A few literals are found
// by the native string search, each on its own; more by one Aho-Corasick pass over the line.
import { buildAutomaton, type Automaton } from "../core/aho-corasick.js";
import { foldUnit, LINE_START, type Literal } from "../core/literals.js";

/** Which rules a found literal serves, and (for a case-sensitive one) its exact text to confirm. */
interface Served {
  rule: number;
  exact: string | undefined;
}

/** Up to this many distinct literals are searched for one by one with the native search. */
const NATIVE_LITERALS = 4;

/** Told of each (line, rule) pair that may match: lines ascending, and the rules of a line ascending. */
export type CandidateVisit = (line: number, rule: number) => void;

export class LiteralIndex {
  private readonly automaton: Automaton | undefined;
  /** The classes of units below 256 with ASCII case folded (the automaton's literals are folded). */
  private readonly foldedLow: Int32Array | undefined;
  /** Per automaton literal: the rules it serves. */
  private readonly served: Served[][] = [];
  /** With few literals: per literal, the test of a line, in place of the automaton. */
  private readonly native: ((line: string) => boolean)[] | undefined;
  private readonly filtered: boolean[];
  /** The rules without literals (they read every line), ascending. */
  private readonly unfiltered: number[];
  /** Per rule, the stamp of the last line it was listed for (a rule is listed once per line). */
  private readonly last: Int32Array;
  /** The stamp of the current line: counts lines across batches. */
  private stamp = 0;
  /** The rules hit on the current line. */
  private hits: Int32Array;
  private hitCount = 0;

  /** Per rule, its literals (every line it can match contains one), or undefined: it reads every line. */
  constructor(perRule: readonly (readonly Literal[] | undefined)[]) {
    this.filtered = perRule.map((literals) => literals !== undefined);
    const all = perRule.flatMap((literals) => literals ?? []);
    if (all.some((literal) => literal.text === ""))
      this.filtered.fill(false); // an empty literal is in every line
    else if (all.length > 0) {
      // A few distinct literals are searched for as they are; more are folded into one automaton.
      const exact = new Set(all.map((literal) => `${literal.fold ? "i" : "-"}${literal.text}`));
      const native = exact.size <= NATIVE_LITERALS && all.every(nativeSearchable);
      const texts = this.serve(perRule, (literal) =>
        native ? `${literal.fold ? "i" : "-"}${literal.text}` : literal.fold ? literal.text : foldText(literal.text),
      );
      if (native) this.native = texts.map((key) => nativeTest({ text: key.slice(1), fold: key.startsWith("i") }));
      else {
        const automaton = buildAutomaton(texts.map(unitsOf));
        this.foldedLow = Int32Array.from({ length: 256 }, (_, unit) => automaton.low[foldUnit(unit)] ?? 0);
        this.automaton = automaton;
      }
    }
    this.unfiltered = this.filtered.flatMap((filtered, rule) => (filtered ? [] : [rule]));
    this.last = new Int32Array(perRule.length).fill(-1);
    this.hits = new Int32Array(Math.min(perRule.length, 64));
  }

  /** Number the literals by key (the same key: one literal serving several rules); their keys in that order. */
  private serve(perRule: readonly (readonly Literal[] | undefined)[], keyOf: (literal: Literal) => string): string[] {
    const ids = new Map<string, number>();
    perRule.forEach((literals, rule) => {
      for (const literal of literals ?? []) {
        const key = keyOf(literal);
        let id = ids.get(key);
        if (id === undefined) {
          ids.set(key, (id = ids.size));
          this.served.push([]);
        }
        (this.served[id] as Served[]).push({ rule, exact: literal.fold ? undefined : literal.text });
      }
    });
    return [...ids.keys()];
  }

  /** True when the rule has literals (else every line is its candidate). */
  filters(rule: number): boolean {
    return this.filtered[rule] === true;
  }

  /**
   * Each line that may match each rule: every line for a rule without literals. May include a line that does not
   * match (the patterns decide), never leaves out one that does. No array per rule: the rules engine runs a
   * thousand rules over batches of thousands of lines.
   */
  visit(lines: readonly string[], visit: CandidateVisit): void {
    const unfiltered = this.unfiltered;
    for (let index = 0; index < lines.length; index++) {
      this.hitCount = 0;
      if (++this.stamp === STAMP_LIMIT) this.last.fill((this.stamp = 0) - 1);
      if (this.native || this.automaton) this.scanLine(lines[index] as string);
      if (this.hitCount === 0) {
        for (const rule of unfiltered) visit(index, rule);
        continue;
      }
      const hits = this.hits.subarray(0, this.hitCount).sort();
      // Both lists ascending: merge them.
      let u = 0;
      for (const rule of hits) {
        while (u < unfiltered.length && (unfiltered[u] as number) < rule) visit(index, unfiltered[u++] as number);
        visit(index, rule);
      }
      while (u < unfiltered.length) visit(index, unfiltered[u++] as number);
    }
  }

  /** Per rule, the ascending indexes of the lines that may match it (see visit). */
  candidates(lines: readonly string[]): number[][] {
    const out: number[][] = this.filtered.map(() => []);
    this.visit(lines, (line, rule) => (out[rule] as number[]).push(line));
    return out;
  }

  private scanLine(line: string): void {
    const native = this.native;
    if (native) {
      for (let id = 0; id < native.length; id++) if ((native[id] as (line: string) => boolean)(line)) this.hit(id);
      return;
    }
    const { classes, high, ends, rows } = this.automaton as Automaton;
    const low = this.foldedLow as Int32Array;
    // As if a newline came before the line: a literal starting with one is anchored at the line's start.
    let row = rows[low[NEWLINE] as number] as number;
    if (row < 0) this.found(ends[(row = -row - 1) / classes] as number[], line, 0);
    for (let i = 0; i < line.length; i++) {
      const unit = line.charCodeAt(i);
      row = rows[row + (unit < 256 ? (low[unit] as number) : (high.get(unit) ?? 0))] as number;
      if (row < 0) this.found(ends[(row = -row - 1) / classes] as number[], line, i + 1);
    }
  }

  /** Literals `found` end just before line[end]: list the line for the rules they serve (once per rule). */
  private found(found: readonly number[], line: string, end: number): void {
    for (const id of found)
      for (const { rule, exact } of this.served[id] as Served[])
        if (exact === undefined || endsAt(line, exact, end)) this.listRule(rule);
  }

  /** Literal `id` is in the line (its exact text, when case-sensitive: the native tests compare exactly). */
  private hit(id: number): void {
    for (const { rule } of this.served[id] as Served[]) this.listRule(rule);
  }

  private listRule(rule: number): void {
    if (this.last[rule] === this.stamp) return;
    this.last[rule] = this.stamp;
    if (this.hitCount === this.hits.length) {
      const grown = new Int32Array(this.hits.length * 2);
      grown.set(this.hits);
      this.hits = grown;
    }
    this.hits[this.hitCount++] = rule;
  }
}

const NEWLINE = 0x0a;
/** Stamps start again (and every rule's last one is cleared) before they would overflow. */
const STAMP_LIMIT = 2 ** 30;

/** The native test of a folded literal would fold more than ASCII case: only ASCII ones are taken there. */
function nativeSearchable(literal: Literal): boolean {
  return !literal.fold || /^[\x00-\x7f]*$/.test(literal.text);
}

/**
 * Whether a line, read with a newline before it, holds the literal. A case-sensitive one is found with includes; a
 * folded one (ASCII only) with a regex ignoring case, which outside unicode mode folds ASCII letters only to ASCII.
 */
function nativeTest(literal: Literal): (line: string) => boolean {
  const anchored = literal.text.startsWith(LINE_START);
  const text = anchored ? literal.text.slice(LINE_START.length) : literal.text;
  if (literal.fold) {
    const re = new RegExp(`${anchored ? "(?:^|\\n)" : ""}${text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&")}`, "i");
    return (line) => re.test(line);
  }
  if (anchored) return (line) => line.startsWith(text) || line.includes(literal.text);
  return (line) => line.includes(text);
}

/** The line, read with a newline before it, has `exact` ending just before `end`. */
function endsAt(line: string, exact: string, end: number): boolean {
  const start = end - exact.length;
  if (start >= 0) return line.startsWith(exact, start);
  return start === -1 && exact.charCodeAt(0) === NEWLINE && line.startsWith(exact.slice(1), 0);
}

/** ASCII case folding that keeps every other character (and so every offset) as it is. */
export function foldText(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function unitsOf(text: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
  return units;
}
