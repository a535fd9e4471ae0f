// Batch prefilter of the rules engine: one Aho-Corasick pass over each line finds the literals of every rule at
// once, and each hit names the rules that need it, so a rule's patterns run only on lines that can match it.
import { buildAutomaton, type Automaton } from "../core/aho-corasick.js";
import { foldUnit, type Literal } from "../core/literals.js";

/** Which rules a found literal serves, and (for a case-sensitive one) its exact text to confirm. */
interface Served {
  rule: number;
  exact: string | undefined;
}

export class LiteralIndex {
  private readonly automaton: Automaton | undefined;
  /** Per automaton literal: the rules it serves. */
  private readonly served: Served[][] = [];
  private readonly filtered: boolean[];

  /** Per rule, its literals (every line it can match contains one), or undefined: it reads every line. */
  constructor(perRule: readonly (readonly Literal[] | undefined)[]) {
    this.filtered = perRule.map((literals) => literals !== undefined);
    const ids = new Map<string, number>();
    perRule.forEach((literals, rule) => {
      for (const literal of literals ?? []) {
        const folded = literal.fold ? literal.text : foldText(literal.text);
        let id = ids.get(folded);
        if (id === undefined) {
          ids.set(folded, (id = ids.size));
          this.served.push([]);
        }
        (this.served[id] as Served[]).push({ rule, exact: literal.fold ? undefined : literal.text });
      }
    });
    const units = [...ids.keys()].map(unitsOf);
    this.automaton = units.length > 0 && units.every((u) => u.length > 0) ? buildAutomaton(units) : undefined;
    if (units.some((u) => u.length === 0)) this.filtered.fill(false); // an empty literal is in every line
  }

  /** True when the rule has literals (else candidates() lists every line for it). */
  filters(rule: number): boolean {
    return this.filtered[rule] === true;
  }

  /**
   * Per rule, the ascending indexes of the lines that may match it: every line for a rule without literals.
   * May include a line that does not match (the patterns decide), never leaves out one that does.
   */
  candidates(lines: readonly string[]): number[][] {
    const out: number[][] = this.filtered.map(() => []);
    const last = new Int32Array(this.filtered.length).fill(-1);
    const a = this.automaton;
    lines.forEach((line, index) => {
      if (a) this.scanLine(a, line, index, out, last);
    });
    this.filtered.forEach((filtered, rule) => {
      if (!filtered) out[rule] = lines.map((_, i) => i);
    });
    return out;
  }

  private scanLine(a: Automaton, line: string, index: number, out: number[][], last: Int32Array): void {
    const { classes, delta, low, high, ends } = a;
    // As if a newline came before the line: a literal starting with one is anchored at the line's start.
    let state = delta[low[NEWLINE] as number] as number;
    let found = ends[state];
    if (found !== undefined) this.hit(found, line, 0, index, out, last);
    for (let i = 0; i < line.length; i++) {
      const unit = foldUnit(line.charCodeAt(i));
      const cls = unit < 256 ? (low[unit] as number) : (high.get(unit) ?? 0);
      state = delta[state * classes + cls] as number;
      found = ends[state];
      if (found !== undefined) this.hit(found, line, i + 1, index, out, last);
    }
  }

  /** Literals `found` end just before line[end]: list the line for the rules they serve (once per rule). */
  private hit(found: readonly number[], line: string, end: number, index: number, out: number[][], last: Int32Array) {
    for (const id of found) {
      for (const { rule, exact } of this.served[id] as Served[]) {
        if (last[rule] === index) continue;
        if (exact !== undefined && !endsAt(line, exact, end)) continue;
        last[rule] = index;
        (out[rule] as number[]).push(index);
      }
    }
  }
}

const NEWLINE = 0x0a;

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
