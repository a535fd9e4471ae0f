// Property test: one pass of the automaton finds exactly the (end, literal) pairs a plain search at every offset finds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAutomaton, type Automaton, type Units } from "./aho-corasick.js";

/** Small alphabets so literals share prefixes and suffixes; 0x3b1 and 0x2603 take the classes of units ≥ 256. */
const unit = fc.constantFrom(0x61, 0x62, 0x63, 0x0a, 0xe9, 0x3b1, 0x2603);
const literals = fc.array(fc.array(unit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 });
const text = fc.array(fc.oneof(unit, fc.constant(0x78)), { maxLength: 60 });

/** Every literal ending just before text[end], found by stepping the automaton's rows. */
function automatonHits(literalList: readonly Units[] | Automaton, units: readonly number[]): string[] {
  const automaton = Array.isArray(literalList) ? buildAutomaton(literalList) : (literalList as Automaton);
  const { classes, rows, accepting, low, high, ends } = automaton;
  const hits: string[] = [];
  let row = 0;
  units.forEach((u, i) => {
    row = rows[row + (u < 256 ? (low[u] as number) : (high.get(u) ?? 0))] as number;
    if (row < accepting) return;
    const found = ends[(row - accepting) / classes] as number[];
    expect(found.length).toBeGreaterThan(0);
    for (const id of found) hits.push(`${i + 1}:${id}`);
  });
  return hits.sort();
}

function plainHits(literalList: readonly Units[], units: readonly number[]): string[] {
  const hits: string[] = [];
  for (let end = 1; end <= units.length; end++)
    literalList.forEach((literal, id) => {
      const start = end - literal.length;
      if (start >= 0 && literal.every((u, k) => units[start + k] === u)) hits.push(`${end}:${id}`);
    });
  return hits.sort();
}

describe("buildAutomaton", () => {
  it("finds every literal at every end, and nothing else (duplicates and nested literals included)", () => {
    fc.assert(
      fc.property(literals, text, (literalList, units) => {
        expect(automatonHits(literalList, units)).toEqual(plainHits(literalList, units));
      }),
      { seed: 1607, numRuns: 2000 },
    );
  });

  it("is a complete table: every entry a row offset, the ending rows last and each ending literals", () => {
    fc.assert(
      fc.property(literals, (literalList) => {
        const { classes, rows, accepting, ends } = buildAutomaton(literalList);
        const states = rows.length / classes;
        expect(Number.isInteger(states)).toBe(true);
        expect(accepting % classes).toBe(0);
        expect(ends.length).toBe(states - accepting / classes);
        for (const found of ends) expect(found.length).toBeGreaterThan(0);
        for (const entry of rows) {
          expect(entry % classes).toBe(0);
          expect(entry / classes).toBeLessThan(states);
        }
        expect(accepting).toBeGreaterThan(0);
      }),
      { seed: 1608, numRuns: 300 },
    );
  });

  it("finds the same in a large automaton (over 65,536 states)", () => {
    // Distinct literals over a small alphabet, long enough that their tries share little.
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), (seed >>> 16) % n);
    const many = Array.from({ length: 10000 }, () => Array.from({ length: 16 }, () => 0x61 + next(8)));
    const lines = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? [...(many[next(many.length)] as number[]), 0x78] : Array.from({ length: 40 }, () => 0x61 + next(8)),
    );
    const automaton = buildAutomaton(many);
    expect(automaton.rows.length / automaton.classes).toBeGreaterThan(0x10000);
    for (const line of lines) expect(automatonHits(automaton, line)).toEqual(plainHits(many, line));
  });
});
