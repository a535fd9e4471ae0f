// Property test: one pass of the automaton finds exactly the (end, literal) pairs a plain search at every offset finds,
// with every state dense, with only the root dense, and with anything between (the compact records' failure links).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAutomaton } from "./aho-corasick-build.js";
import { endsIndex, step, walk, type Automaton, type Units } from "./aho-corasick.js";

/** Small alphabets so literals share prefixes and suffixes; 0x3b1 and 0x2603 take the classes of units ≥ 256. */
const unit = fc.constantFrom(0x61, 0x62, 0x63, 0x0a, 0xe9, 0x3b1, 0x2603);
const literals = fc.array(fc.array(unit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 });
const text = fc.array(fc.oneof(unit, fc.constant(0x78)), { maxLength: 60 });
/** Bytes of dense rows: none (the root alone), a few rows, or all. */
const denseBytes = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 }), fc.constant(1 << 20));

/**
 * Pieces of one word (its prefixes, suffixes and inner runs), so literals are prefixes and suffixes of each other
 * and a mismatch deep in one falls back along a chain of failure links through several others.
 */
const pieces = fc
  .tuple(
    fc.array(fc.constantFrom(0x61, 0x62, 0x3b1), { minLength: 4, maxLength: 14 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
  )
  .map(([word, cuts]) =>
    cuts.map((cut, k) => {
      const from = cut % word.length;
      const to = from + 1 + (((cut >> 4) + k) % (word.length - from));
      return word.slice(from, to);
    }),
  );

/** The lines a piece set is searched in: repeats and overlaps of the pieces, broken by other units. */
const piecesText = (sets: number[][]) =>
  fc
    .array(fc.oneof(fc.constantFrom(...sets), fc.constant([0x78]), fc.constant([0x61])), { maxLength: 20 })
    .map((parts) => parts.flat());

const asText = (units: readonly number[]): string => String.fromCharCode(...units);

/** Every literal ending just before text[end], found by the scan (walk) the prefilter runs, in hits of `room`. */
function automatonHits(literalList: readonly Units[] | Automaton, units: readonly number[], room = 256): string[] {
  const automaton = Array.isArray(literalList) ? buildAutomaton(literalList) : (literalList as Automaton);
  const { endStart, endList, low } = automaton;
  const line = asText(units);
  const hits: string[] = [];
  const buffer = new Int32Array(2 * room);
  let ref = 0;
  for (let from = 0; from < line.length;) {
    const n = walk(automaton, low, line, from, ref, buffer);
    for (let k = 0; k < n; k += 2) {
      const ending = endsIndex(automaton, buffer[k] as number);
      expect(ending).toBeGreaterThanOrEqual(0);
      const found = endList.subarray(endStart[ending], endStart[ending + 1]);
      expect(found.length).toBeGreaterThan(0);
      for (const id of found) hits.push(`${buffer[k + 1]}:${id}`);
    }
    if (n < buffer.length) break;
    ref = buffer[n - 2] as number;
    from = buffer[n - 1] as number;
  }
  return hits.sort();
}

/** The same by step() one unit at a time: the walk's two loops must agree with the one transition function. */
function steppedHits(automaton: Automaton, units: readonly number[]): string[] {
  const hits: string[] = [];
  let ref = 0;
  units.forEach((u, i) => {
    ref = step(automaton, ref, u < 256 ? (automaton.low[u] as number) : (automaton.high.get(u) ?? 0));
    const ending = endsIndex(automaton, ref);
    if (ending >= 0)
      for (let e = automaton.endStart[ending] as number; e < (automaton.endStart[ending + 1] as number); e++)
        hits.push(`${i + 1}:${automaton.endList[e]}`);
  });
  return hits.sort();
}

function plainHits(literalList: readonly Units[], units: readonly number[]): string[] {
  const line = asText(units);
  const hits: string[] = [];
  literalList.forEach((literal, id) => {
    const needle = asText(literal);
    for (let at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + 1))
      hits.push(`${at + needle.length}:${id}`);
  });
  return hits.sort();
}

describe("buildAutomaton", () => {
  it("finds every literal at every end, and nothing else (duplicates and nested literals included)", () => {
    fc.assert(
      fc.property(literals, text, denseBytes, (literalList, units, bytes) => {
        const automaton = buildAutomaton(literalList, bytes);
        const expected = plainHits(literalList, units);
        expect(automatonHits(automaton, units)).toEqual(expected);
        expect(steppedHits(automaton, units)).toEqual(expected);
      }),
      { seed: 1607, numRuns: 2000 },
    );
  });

  it("follows failure links through compact states back into dense ones (pieces of one word)", () => {
    const cases = pieces.chain((set) =>
      fc.tuple(fc.constant(set), piecesText(set), denseBytes, fc.integer({ min: 1, max: 4 })),
    );
    fc.assert(
      fc.property(cases, ([set, units, bytes, room]) => {
        const automaton = buildAutomaton(set, bytes);
        const expected = plainHits(set, units);
        // A small hit buffer: the scan stops mid-line and goes on from a state that may be compact.
        expect(automatonHits(automaton, units, room)).toEqual(expected);
        expect(steppedHits(automaton, units)).toEqual(expected);
      }),
      { seed: 1609, numRuns: 3000 },
    );
  });

  it("hits at every position: a one-unit literal inside runs of itself, in dense and compact states", () => {
    for (const bytes of [0, 64, 1 << 20]) {
      const set = [[0x61], [0x61, 0x61, 0x61], [0x3b1, 0x61], [0x61, 0x3b1, 0x61, 0x61]];
      const units = [0x61, 0x61, 0x61, 0x61, 0x3b1, 0x61, 0x61, 0x3b1, 0x61, 0x61, 0x61];
      const automaton = buildAutomaton(set, bytes);
      expect(automatonHits(automaton, units, 1)).toEqual(plainHits(set, units));
      expect(automatonHits(automaton, units).filter((hit) => hit.endsWith(":0"))).toHaveLength(9);
    }
  });

  it("is a complete table: every reference a dense row or a compact record, each ending state with literals", () => {
    fc.assert(
      fc.property(literals, denseBytes, (literalList, bytes) => {
        const automaton = buildAutomaton(literalList, bytes);
        const { classes, rows, accepting, denseEnd, deep, endStart, endList } = automaton;
        expect(denseEnd).toBe(rows.length);
        expect(rows.length % classes).toBe(0);
        expect(rows.length).toBeLessThanOrEqual(Math.max(classes, Math.floor(bytes / 4 / classes) * classes));
        expect(accepting % classes).toBe(0);
        // The compact records, walked one after another: each reference into them starts one.
        const records = new Set<number>();
        let endings = (denseEnd - accepting) / classes;
        for (let at = 0; at < deep.length; at += 3 + 2 * (deep[at + 1] as number)) {
          records.add(denseEnd + at);
          if ((deep[at + 2] as number) >= 0) endings++;
        }
        const valid = (ref: number): boolean => (ref < denseEnd ? ref % classes === 0 && ref >= 0 : records.has(ref));
        for (const entry of rows) expect(valid(entry)).toBe(true);
        for (const record of records) {
          const at = record - denseEnd;
          expect(valid(deep[at] as number)).toBe(true);
          for (let k = 0; k < (deep[at + 1] as number); k++) expect(valid(deep[at + 4 + 2 * k] as number)).toBe(true);
        }
        expect(endStart.length).toBe(endings + 1);
        for (let k = 0; k < endings; k++) expect(endStart[k + 1]).toBeGreaterThan(endStart[k] as number);
        expect(endStart[endings]).toBe(endList.length);
        expect(accepting).toBeGreaterThan(0);
      }),
      { seed: 1608, numRuns: 300 },
    );
  });

  it("finds the same in a large automaton (over 65,536 states), most of them compact", () => {
    // Distinct literals over a small alphabet, long enough that their tries share little.
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), (seed >>> 16) % n);
    const many = Array.from({ length: 10000 }, () => Array.from({ length: 16 }, () => 0x61 + next(8)));
    const lines = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? [...(many[next(many.length)] as number[]), 0x78] : Array.from({ length: 40 }, () => 0x61 + next(8)),
    );
    const automaton = buildAutomaton(many);
    const states = automaton.rows.length / automaton.classes + new Set(compactRefs(automaton)).size;
    expect(states).toBeGreaterThan(0x10000);
    expect(automaton.rows.byteLength).toBeLessThanOrEqual(1 << 20);
    expect(automaton.rows.byteLength + automaton.deep.byteLength).toBeLessThan(states * automaton.classes * 4);
    for (const line of lines) expect(automatonHits(automaton, line)).toEqual(plainHits(many, line));
  });
});

function compactRefs(automaton: Automaton): number[] {
  const refs: number[] = [];
  const { deep, denseEnd } = automaton;
  for (let at = 0; at < deep.length; at += 3 + 2 * (deep[at + 1] as number)) refs.push(denseEnd + at);
  return refs;
}
