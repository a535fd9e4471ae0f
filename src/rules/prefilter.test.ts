// Property tests: the literal prefilter never changes what the rules engine fires.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import type { LogRecord } from "../core/record.js";
import { compileRules } from "./engine.js";
import { BatchText } from "./prefilter.js";
import { T0, rule } from "./testing/records.js";

const text = fc.string({ unit: fc.constantFrom("a", "b", "c", "\n", "é", "x"), maxLength: 12 });
const literal = fc.string({ unit: fc.constantFrom("a", "b", "c", "\n"), minLength: 1, maxLength: 3 });
const regex = fc.constantFrom(
  "/a+b/",
  "/ab.c/",
  "/b\\nc/",
  "|(?<g>ab)c|",
  "/ba/i",
  "%ca?b%",
  "/^abc$/m",
  "/(?<x>a|b)c/",
);
const pattern = fc.oneof(literal, regex);

const ruleArb = fc.record({
  match: fc.option(fc.array(pattern, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  exclude: fc.option(fc.array(pattern, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  source: fc.constantFrom("app", "db"),
  threshold: fc.option(fc.record({ count: fc.integer({ min: 1, max: 4 }), within: fc.integer({ min: 0, max: 50 }) }), {
    nil: undefined,
  }),
  cooldown: fc.integer({ min: 0, max: 30 }),
});

const recordArb = fc.record({ line: text, source: fc.constantFrom("app", "db"), dt: fc.integer({ min: -5, max: 10 }) });

function batches(raw: { line: string; source: string; dt: number }[][]): LogRecord[][] {
  let time = T0;
  return raw.map((batch) =>
    batch.map(({ line, source, dt }) => {
      time += dt;
      return { source, line, time, fields: {} };
    }),
  );
}

describe("BatchText", () => {
  it("never leaves out a line that contains the literal", () => {
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 30 }),
        fc.array(literal, { minLength: 1, maxLength: 3 }),
        (lines, literals) => {
          const candidates = new BatchText(lines).candidates(literals);
          const exact = lines.flatMap((l, i) => (literals.some((lit) => l.includes(lit)) ? [i] : []));
          expect(exact.every((i) => candidates.includes(i))).toBe(true);
          expect(candidates).toEqual([...new Set(candidates)].sort((a, b) => a - b));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("skips lines without the literal", () => {
    expect(new BatchText(["xx", "ab", "x", "cab", "b"]).candidates(["ab"])).toEqual([1, 3]);
    expect(new BatchText(["xa", "bx", "ab"]).candidates(["a\nb"])).toEqual([0]); // a literal spanning lines: a harmless extra
  });
});

describe("prefilter", () => {
  it("fires exactly what the plain path fires", () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(recordArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        (rules, raw) => {
          const config = Object.fromEntries(rules.map((r, i) => [`r${i}`, rule(r)]));
          const filtered = compileRules(config, new FakeClock(T0), { prefilterMinRecords: 0 });
          const plain = compileRules(config, new FakeClock(T0), { prefilterMinRecords: Infinity });
          for (const batch of batches(raw)) expect(filtered.evaluate(batch)).toEqual(plain.evaluate(batch));
        },
      ),
      { numRuns: 400 },
    );
  });
});
