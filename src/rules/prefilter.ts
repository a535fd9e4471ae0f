// Batch prefilter of the rules engine: each line is searched once for the literals of every rule, and each hit
// names the rules that need it, so a rule's patterns run only on lines that can match it. A few literals are found
// by the native string search, each on its own; more by one Aho-Corasick pass over the line.
import { endsIndex, walk, type Automaton } from "../core/aho-corasick.js";
import { buildAutomaton, DENSE_BYTES } from "../core/aho-corasick-build.js";
import { foldUnit, LINE_START, type Literal } from "../core/literals.js";

/** Up to this many distinct literals are searched for one by one with the native search. */
const NATIVE_LITERALS = 4;

/** Told of each (line, rule) pair that may match: lines ascending, and the rules of a line ascending. */
export type CandidateVisit = (line: number, rule: number) => void;

export class LiteralIndex {
  /** The literals searched for: their ids by text, one map per case mode (no key string built per literal). */
  private readonly ids = new Map<string, number>();
  private readonly foldedIds = new Map<string, number>();
  private readonly automaton: Automaton | undefined;
  /** The classes of units below 256 with ASCII case folded (the automaton's literals are folded). */
  private readonly foldedLow: Int32Array | undefined;
  /**
   * Per automaton literal (a folded text) f, the literals it stands for: variantId[variantStart[f]] up to
   * variantId[variantStart[f + 1]], and per one its exact text to confirm (undefined when it folds case). Arrays
   * of numbers, not an object per literal: a thousand rules have thousands.
   */
  private variantStart: Int32Array = new Int32Array(1);
  private variantId: Int32Array = new Int32Array(0);
  private variantExact: (string | undefined)[] = [];
  /** With few literals: per literal, the test of a line, in place of the automaton. */
  private readonly native: ((line: string) => boolean)[] | undefined;
  /** Per literal l: the rules it serves now (see assign), servedRule[servedStart[l]] up to servedStart[l + 1]. */
  private servedStart: Int32Array = new Int32Array(1);
  private servedRule: Int32Array = new Int32Array(0);
  private filtered: boolean[] = [];
  /** The rules without literals (they read every line), ascending. */
  private unfiltered: number[] = [];
  /** Per rule and per literal, the stamp of the last line it was listed for (each is listed once per line). */
  private lastRule = new Int32Array(0);
  private readonly lastLiteral: Int32Array;
  /** The stamp of the current line: counts lines across batches. */
  private stamp = 0;
  /** The automaton's hits in the current line, a (row, end) pair each (see walk). */
  private readonly walked = new Int32Array(2 * WALKED_HITS);
  /** The literals found in the current line, and then the rules they serve. */
  private found: Int32Array;
  private foundCount = 0;
  private hits: Int32Array = new Int32Array(0);
  private hitCount = 0;

  /**
   * Per rule, its literals (every line it can match contains one), or undefined: it reads every line. `searched`:
   * more literals to search for, so that `assign` can hand them to rules later (or `count` count them).
   */
  constructor(
    perRule: readonly (readonly Literal[] | undefined)[],
    searched: readonly Literal[] = [],
    /** Bytes of the automaton's dense rows at most (see aho-corasick.ts; for tests). */
    denseBytes = DENSE_BYTES,
  ) {
    const literals: Literal[] = [];
    for (const literal of [...perRule.flatMap((list) => list ?? []), ...searched]) {
      const ids = literal.fold ? this.foldedIds : this.ids;
      if (literal.text === "" || ids.has(literal.text)) continue; // an empty one is in every line: nothing to search
      ids.set(literal.text, literals.length);
      literals.push(literal);
    }
    if (literals.length > 0 && literals.length <= NATIVE_LITERALS && literals.every(nativeSearchable))
      this.native = literals.map(nativeTest);
    else if (literals.length > 0) {
      const automaton = buildAutomaton(this.foldedTexts(literals).map(unitsOf), denseBytes);
      this.foldedLow = Int32Array.from({ length: 256 }, (_, unit) => automaton.low[foldUnit(unit)] ?? 0);
      this.automaton = automaton;
    }
    this.lastLiteral = new Int32Array(literals.length).fill(-1);
    this.found = new Int32Array(Math.min(literals.length, 64));
    this.assign(perRule);
  }

  /** The automaton's literals: the folded texts; each one's literals (in either case) in the variant arrays. */
  private foldedTexts(literals: readonly Literal[]): string[] {
    const texts = new Map<string, number[]>();
    literals.forEach((literal, id) => {
      const text = literal.fold ? literal.text : foldText(literal.text);
      const ids = texts.get(text);
      if (ids) ids.push(id);
      else texts.set(text, [id]);
    });
    const lists = [...texts.values()];
    this.variantStart = offsets(lists);
    this.variantId = Int32Array.from(lists.flat());
    this.variantExact = Array.from(this.variantId, (id) => {
      const literal = literals[id] as Literal;
      return literal.fold ? undefined : literal.text;
    });
    return [...texts.keys()];
  }

  /**
   * Give the rules these literals from now on (see the constructor): false, and nothing changed, when one of them
   * is not searched for (then build a new index).
   */
  assign(perRule: readonly (readonly Literal[] | undefined)[]): boolean {
    const served: number[][] = Array.from({ length: this.lastLiteral.length }, () => []);
    // A rule with an empty literal reads every line, like one without literals.
    const filtered = perRule.map((literals) => literals !== undefined && literals.every((l) => l.text !== ""));
    for (let rule = 0; rule < perRule.length; rule++) {
      if (!filtered[rule]) continue;
      for (const literal of perRule[rule] ?? []) {
        const id = this.idOf(literal);
        if (id === undefined) return false;
        (served[id] as number[]).push(rule);
      }
    }
    this.servedStart = offsets(served);
    this.servedRule = Int32Array.from(served.flat());
    this.filtered = filtered;
    this.unfiltered = filtered.flatMap((isFiltered, rule) => (isFiltered ? [] : [rule]));
    this.lastRule = new Int32Array(perRule.length).fill(-1);
    this.hits = new Int32Array(Math.max(this.hits.length, Math.min(perRule.length, 64)));
    return true;
  }

  /** True when the rule has literals (else every line is its candidate). */
  filters(rule: number): boolean {
    return this.filtered[rule] === true;
  }

  /** The id of a literal searched for (see count), or undefined. */
  idOf(literal: Literal): number | undefined {
    return (literal.fold ? this.foldedIds : this.ids).get(literal.text);
  }

  /**
   * Each line that may match each rule: every line for a rule without literals. May include a line that does not
   * match (the patterns decide), never leaves out one that does. With `reads`, only the rules it marks. No array
   * per rule: the rules engine runs a thousand rules over batches of thousands of lines.
   */
  visit(lines: readonly string[], visit: CandidateVisit, reads?: Uint8Array): void {
    const unfiltered = this.unfiltered;
    for (let index = 0; index < lines.length; index++) {
      this.scanLine(lines[index] as string);
      this.listRules();
      const hits = this.hits;
      // Both lists ascending: merge them.
      let u = 0;
      for (let h = 0; h < this.hitCount; h++) {
        const rule = hits[h] as number;
        for (; u < unfiltered.length && (unfiltered[u] as number) < rule; u++)
          if (!reads || reads[unfiltered[u] as number]) visit(index, unfiltered[u] as number);
        if (!reads || reads[rule]) visit(index, rule);
      }
      for (; u < unfiltered.length; u++)
        if (!reads || reads[unfiltered[u] as number]) visit(index, unfiltered[u] as number);
    }
  }

  /** Per rule, the ascending indexes of the lines that may match it (see visit). */
  candidates(lines: readonly string[]): number[][] {
    const out: number[][] = this.filtered.map(() => []);
    this.visit(lines, (line, rule) => (out[rule] as number[]).push(line));
    return out;
  }

  /** Per literal id (see idOf), how many of the lines hold it. */
  count(lines: readonly string[]): Int32Array {
    const counts = new Int32Array(this.lastLiteral.length);
    for (const line of lines) {
      this.scanLine(line);
      for (let k = 0; k < this.foundCount; k++) {
        const id = this.found[k] as number;
        counts[id] = (counts[id] as number) + 1;
      }
    }
    return counts;
  }

  /** The rules the literals found in the current line serve, ascending, each once (in hits). */
  private listRules(): void {
    const { found, servedStart, servedRule, lastRule, stamp } = this;
    let hits = this.hits;
    let count = 0;
    let sorted = true;
    for (let k = 0; k < this.foundCount; k++) {
      const id = found[k] as number;
      for (let at = servedStart[id] as number, end = servedStart[id + 1] as number; at < end; at++) {
        const rule = servedRule[at] as number;
        if (lastRule[rule] === stamp) continue;
        lastRule[rule] = stamp;
        if (count === hits.length) hits = this.hits = grown(hits);
        if (count > 0 && (hits[count - 1] as number) > rule) sorted = false;
        hits[count++] = rule;
      }
    }
    this.hitCount = count;
    if (!sorted) sortHits(hits, count);
  }

  /** The literals in the line, each once, into found (a new stamp). */
  private scanLine(line: string): void {
    this.foundCount = 0;
    if (++this.stamp === STAMP_LIMIT) {
      this.lastRule.fill(-1);
      this.lastLiteral.fill(-1);
      this.stamp = 1;
    }
    const native = this.native;
    if (native) {
      for (let id = 0; id < native.length; id++) if ((native[id] as (line: string) => boolean)(line)) this.add(id);
      return;
    }
    const automaton = this.automaton;
    if (!automaton) return;
    const low = this.foldedLow as Int32Array;
    // As if a newline came before the line: a literal starting with one is anchored at the line's start.
    // The root's row is dense (the first): one read, no call per line.
    let row = automaton.rows[low[NEWLINE] as number] as number;
    if (row >= automaton.accepting) this.confirm(endsIndex(automaton, row), line, 0);
    const hits = this.walked;
    for (let from = 0; from < line.length;) {
      const n = walk(automaton, low, line, from, row, hits);
      for (let k = 0; k < n; k += 2) this.confirm(endsIndex(automaton, hits[k] as number), line, hits[k + 1] as number);
      if (n < hits.length) break;
      // The hits filled up: on from the last one.
      row = hits[n - 2] as number;
      from = hits[n - 1] as number;
    }
  }

  /**
   * The folded texts of the automaton's `ending` (see endsIndex; -1: none) end just before line[end]: add their
   * literals there (case-sensitive ones confirmed).
   */
  private confirm(ending: number, line: string, end: number): void {
    if (ending < 0) return;
    const { endStart, endList } = this.automaton as Automaton;
    const { variantStart, variantId, variantExact } = this;
    for (let e = endStart[ending] as number, last = endStart[ending + 1] as number; e < last; e++) {
      const folded = endList[e] as number;
      for (let v = variantStart[folded] as number, stop = variantStart[folded + 1] as number; v < stop; v++) {
        const exact = variantExact[v];
        if (exact === undefined || endsAt(line, exact, end)) this.add(variantId[v] as number);
      }
    }
  }

  private add(id: number): void {
    if (this.lastLiteral[id] === this.stamp) return;
    this.lastLiteral[id] = this.stamp;
    if (this.foundCount === this.found.length) this.found = grown(this.found);
    this.found[this.foundCount++] = id;
  }
}

const NEWLINE = 0x0a;
/** Hits of the automaton taken per walk (a line with more is walked on from the last). */
const WALKED_HITS = 128;
/** Stamps start again (and every last one is cleared) before they would overflow. */
const STAMP_LIMIT = 2 ** 30;

/**
 * The first `count` hits in order: a line mostly serves a few rules, sorted in place without a view per line; many
 * (a literal shared by hundreds of rules) by the native sort, not in quadratic time.
 */
function sortHits(hits: Int32Array, count: number): void {
  if (count > 16) {
    hits.subarray(0, count).sort();
    return;
  }
  for (let i = 1; i < count; i++) {
    const rule = hits[i] as number;
    let at = i;
    for (; at > 0 && (hits[at - 1] as number) > rule; at--) hits[at] = hits[at - 1] as number;
    hits[at] = rule;
  }
}

/** Lists as one array's offsets: list k spans [out[k], out[k + 1]). */
function offsets(lists: readonly (readonly number[])[]): Int32Array {
  const out = new Int32Array(lists.length + 1);
  lists.forEach((list, k) => (out[k + 1] = (out[k] as number) + list.length));
  return out;
}

function grown(list: Int32Array): Int32Array {
  const out = new Int32Array(Math.max(8, list.length * 2));
  out.set(list);
  return out;
}

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
