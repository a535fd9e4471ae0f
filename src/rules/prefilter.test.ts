// Property tests: the literal prefilter never changes what the rules engine fires.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { Metrics } from "../core/metrics.js";
import type { LogRecord } from "../core/record.js";
import { compileRules } from "./engine.js";
import { compileMatcher } from "./matcher.js";
import { foldText, LiteralIndex } from "./prefilter.js";
import { T0, rule } from "./testing/records.js";

const text = fc.string({ unit: fc.constantFrom("a", "b", "c", "\n", "é", "x"), maxLength: 12 });
const literal = fc.string({ unit: fc.constantFrom("a", "b", "c", "\n"), minLength: 1, maxLength: 3 });
/** Literals of the index alone: a non-ASCII one folded is searched by the automaton, not the native search. */
const indexLiteral = fc.string({ unit: fc.constantFrom("a", "b", "c", "\n", "é"), minLength: 1, maxLength: 3 });
const regex = fc.constantFrom(
  "/a+b/",
  "/(?:ab|ca)\\.?c/i",
  "/x(?:é|b){2}/i",
  "/A[bc]/",
  "/b|ca/i",
  "/ab.c/",
  "/b\\nc/",
  "|(?<g>ab)c|",
  "/ba/i",
  "%ca?b%",
  "/^abc$/m",
  "/(?<x>a|b)c/",
  // Several literal sets to choose from on the first lines (calibrate.ts), anchored ones among them.
  "/(?:ab|ba).*cab/",
  "/^ab.*bca/",
  "/(?:aa|bb)c.*abc/i",
  "/^(?:a|x)bc|cca/",
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

const literalArb = fc.record({ text: indexLiteral, fold: fc.boolean() }).map(({ text, fold }) => ({
  text: fold ? foldText(text) : text,
  fold,
}));

describe("LiteralIndex", () => {
  it("never leaves out a line that contains one of a rule's literals, and lists each line once, in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom("a", "A", "b", "B", "c", "é", "x"), maxLength: 12 }), {
          maxLength: 30,
        }),
        fc.array(fc.option(fc.array(literalArb, { minLength: 1, maxLength: 3 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.string({ unit: fc.constantFrom("a", "A", "b", "B", "c", "é", "É", "x", "\n"), maxLength: 12 }), {
          maxLength: 30,
        }),
        (lines, perRule, later) => {
          // A few literals take the native search, more (or folded non-ASCII ones) the automaton; one index serves
          // batch after batch.
          const index = new LiteralIndex(perRule);
          for (const batch of [lines, later, lines]) {
            const found = index.candidates(batch);
            perRule.forEach((literals, rule) => {
              const has = (line: string): boolean =>
                literals === undefined ||
                literals.some((l) => "\n".concat(l.fold ? foldText(line) : line).includes(l.text));
              const exact = batch.flatMap((line, i) => (has(line) ? [i] : []));
              // Exactly: a hit is confirmed on the line itself (case-sensitive ones on its exact text).
              expect(found[rule]).toEqual(exact);
            });
          }
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });

  it("finds a literal in either case only when the rule folds case", () => {
    const index = new LiteralIndex([[{ text: "ab", fold: false }], [{ text: "ab", fold: true }], undefined]);
    expect(index.candidates(["xAB", "ab", "aB", "c"])).toEqual([[1], [0, 1, 2], [0, 1, 2, 3]]);
  });
});

describe("prefilter", () => {
  it("fires exactly what the plain path fires, before and after the rules chose their literals", () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(recordArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 30 }),
        (rules, raw, calibration) => {
          const config = Object.fromEntries(rules.map((r, i) => [`r${i}`, rule(r)]));
          const options = { prefilterMinRecords: 0, calibrationLines: calibration };
          const filtered = compileRules(config, new FakeClock(T0), options);
          const plain = compileRules(config, new FakeClock(T0), { prefilterMinRecords: Infinity });
          for (const batch of batches(raw)) expect(filtered.evaluate(batch)).toEqual(plain.evaluate(batch));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("counts each rule's matching lines and firings as a per-rule evaluation does, and fires the same", () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(recordArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        (rules, raw) => {
          const config = Object.fromEntries(rules.map((r, i) => [`r${i}`, rule(r)]));
          const metrics = new Metrics();
          const counted = compileRules(config, new FakeClock(T0), { prefilterMinRecords: 0, metrics });
          const plain = compileRules(config, new FakeClock(T0), { prefilterMinRecords: Infinity });
          const matched = new Map<string, number>();
          const fired = new Map<string, number>();
          const add = (map: Map<string, number>, name: string): unknown => map.set(name, (map.get(name) ?? 0) + 1);
          for (const batch of batches(raw)) {
            const firings = counted.evaluate(batch);
            expect(firings).toEqual(plain.evaluate(batch));
            for (const f of firings) if (f.event.state !== "recovered") add(fired, f.rule);
            // Each rule alone, line after line: what its matcher takes is what it counts as matched.
            for (const [name, r] of Object.entries(config)) {
              const matcher = compileMatcher(r.match, r.exclude);
              for (const record of batch)
                if (r.source.includes(record.source) && matcher.match(record.line)) add(matched, name);
            }
          }
          // Per rule, its value in the exposition (a series never counted up may be left out: 0).
          const values = (metric: string): Map<string, number> => {
            const text = metrics.getSingleMetric(metric)?.exposition() ?? "";
            return new Map([...text.matchAll(/\{rule="(\w+)"\} (\d+)/g)].map((m) => [m[1] ?? "", Number(m[2])]));
          };
          const nonZero = (map: Map<string, number>): [string, number][] => [...map].filter(([, n]) => n > 0).sort();
          expect(nonZero(values("logward_rule_matches_total"))).toEqual(nonZero(matched));
          expect(nonZero(values("logward_rule_fired_total"))).toEqual(nonZero(fired));
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });
});
