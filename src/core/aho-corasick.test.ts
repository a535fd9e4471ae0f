// Property test: one pass of the automaton finds exactly the (end, literal) pairs a plain search at every offset finds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAutomaton, type Units } from "./aho-corasick.js";

/** Small alphabets so literals share prefixes and suffixes; 0x3b1 and 0x2603 take the classes of units ≥ 256. */
const unit = fc.constantFrom(0x61, 0x62, 0x63, 0x0a, 0xe9, 0x3b1, 0x2603);
const literals = fc.array(fc.array(unit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 });
const text = fc.array(fc.oneof(unit, fc.constant(0x78)), { maxLength: 60 });

/** Every literal ending just before text[end], found by stepping the automaton's rows. */
function automatonHits(literalList: readonly Units[], units: readonly number[]): string[] {
  const { classes, rows, low, high, ends } = buildAutomaton(literalList);
  const hits: string[] = [];
  let row = 0;
  units.forEach((u, i) => {
    row = rows[row + (u < 256 ? (low[u] as number) : (high.get(u) ?? 0))] as number;
    if (row >= 0) return;
    row = -row - 1;
    for (const id of ends[row / classes] ?? []) hits.push(`${i + 1}:${id}`);
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

  it("is a complete table: every entry is a row offset of a state, ending ones negated", () => {
    fc.assert(
      fc.property(literals, (literalList) => {
        const { classes, rows, ends } = buildAutomaton(literalList);
        const states = rows.length / classes;
        for (const entry of rows) {
          const offset = entry < 0 ? -entry - 1 : entry;
          expect(offset % classes).toBe(0);
          expect(offset / classes).toBeLessThan(states);
          expect(entry < 0).toBe(ends[offset / classes] !== undefined);
        }
      }),
      { seed: 1608, numRuns: 300 },
    );
  });
});
