// Property tests: the literal index offers exactly the (line, rule) pairs a plain search of every literal in every
// line finds, over awkward literal sets, through re-assignments of the rules' literals and a mask of rules.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Literal } from "../core/literals.js";
import { countLines } from "./calibrate.js";
import { foldText, LiteralIndex } from "./prefilter.js";

/** Units that fold (A/a), that do not (é/É: only ASCII folds), above Latin-1 (α, ☃), and the newline. */
const unit = fc.constantFrom("a", "A", "b", "B", "é", "É", "α", "☃", "\n", "x", "1");
const word = fc.string({ unit, minLength: 1, maxLength: 8 });

/**
 * A pool of literals from a few words: whole words and their prefixes and suffixes (literals ending inside each
 * other), some anchored at the line start, some folded.
 */
const poolArb = fc
  .array(
    fc.record({
      word,
      cut: fc.constantFrom("whole", "prefix", "suffix"),
      size: fc.integer({ min: 1, max: 8 }),
      anchored: fc.boolean(),
      fold: fc.boolean(),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((specs) =>
    specs.map(({ word: w, cut, size, anchored, fold }): Literal => {
      const piece = cut === "whole" ? w : cut === "prefix" ? w.slice(0, size) : w.slice(-size);
      const text = `${anchored ? "\n" : ""}${piece}`;
      return { text: fold ? foldText(text) : text, fold };
    }),
  );

/** Per rule: undefined (no literals: every line) or indexes into the pool (rules sharing literals). */
const rulesArb = fc.array(fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 4 }), {
  minLength: 1,
  maxLength: 12,
});

/** Lines made of pool literals (in either case, anchored ones without their newline at times) and noise. */
function linesArb(pool: readonly Literal[]): fc.Arbitrary<string[]> {
  const piece = fc.oneof(
    fc.tuple(fc.nat(), fc.boolean(), fc.boolean()).map(([i, upper, strip]) => {
      const text = (pool[i % pool.length] as Literal).text;
      const cased = upper ? text.toUpperCase() : text;
      return strip ? cased.replace(/^\n/, "") : cased;
    }),
    fc.string({ unit, maxLength: 6 }),
  );
  // Long ones too (the automaton's rows are reused from line to line).
  return fc.array(
    fc.array(piece, { maxLength: 20 }).map((parts) => parts.join("")),
    { maxLength: 25 },
  );
}

const pick = (pool: readonly Literal[], rules: readonly (number[] | undefined)[]): (Literal[] | undefined)[] =>
  rules.map((ids) => ids?.map((i) => pool[i % pool.length] as Literal));

/** Whether the line, read with a newline before it, holds the literal (in either ASCII case when it folds). */
const holds = (line: string, literal: Literal): boolean =>
  "\n".concat(literal.fold ? foldText(line) : line).includes(literal.text);

/** The pairs a plain search finds: lines ascending, a line's rules ascending. */
function plainPairs(
  lines: readonly string[],
  perRule: readonly (Literal[] | undefined)[],
  reads?: Uint8Array,
): string[] {
  const pairs: string[] = [];
  lines.forEach((line, l) =>
    perRule.forEach((literals, rule) => {
      if (reads && !reads[rule]) return;
      if (literals === undefined || literals.some((literal) => holds(line, literal))) pairs.push(`${l}:${rule}`);
    }),
  );
  return pairs;
}

function indexPairs(index: LiteralIndex, lines: readonly string[], reads?: Uint8Array): string[] {
  const pairs: string[] = [];
  index.visit(lines, (line, rule) => pairs.push(`${line}:${rule}`), reads);
  return pairs;
}

const caseArb = poolArb.chain((pool) =>
  fc.record({
    pool: fc.constant(pool),
    first: rulesArb,
    second: rulesArb,
    extra: fc.array(fc.nat(), { maxLength: 6 }),
    lines: linesArb(pool),
    later: linesArb(pool),
    mask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    // The automaton's dense rows: only the root's, a few, or all (the rest are compact records).
    denseBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 }), fc.constant(undefined)),
  }),
);

describe("LiteralIndex against a plain search", () => {
  it("offers exactly the pairs of the plain search, before and after the rules get other literals", () => {
    fc.assert(
      fc.property(caseArb, ({ pool, first, second, extra, lines, later, mask, denseBytes }) => {
        const before = pick(pool, first);
        const searched = extra.map((i) => pool[i % pool.length] as Literal);
        const index = new LiteralIndex(before, searched, denseBytes);
        expect(indexPairs(index, lines)).toEqual(plainPairs(lines, before));
        // Other literals for other rules: taken when the index searches for all of them, else refused.
        const after = pick(pool, second);
        const known = new Set([...before.flat(), ...searched].map((l) => l && `${l.fold}${l.text}`));
        const takes = after.every((literals) => literals?.every((l) => known.has(`${l.fold}${l.text}`)) ?? true);
        expect(index.assign(after)).toBe(takes);
        const now = takes ? after : before;
        const reads = Uint8Array.from(now, (_, rule) => (mask[rule] ? 1 : 0));
        expect(indexPairs(index, later, reads)).toEqual(plainPairs(later, now, reads));
        expect(indexPairs(index, lines)).toEqual(plainPairs(lines, now));
      }),
      { numRuns: 600, seed: 1610 },
    );
  });

  it("counts the lines holding each literal as a plain search does, with the engine's index or its own", () => {
    fc.assert(
      fc.property(caseArb, ({ pool, first, lines, denseBytes }) => {
        const sets = pool.map((literal) => ({ literals: [literal.text], fold: literal.fold }));
        const expected = new Map(
          pool.map((l) => [`${l.fold ? "i" : "-"}${l.text}`, lines.filter((line) => holds(line, l)).length]),
        );
        expect(countLines(lines, sets)).toEqual(expected);
        // The engine's index (built over the whole pool) counts them the same, between visits of its own.
        const index = new LiteralIndex(pick(pool, first), pool, denseBytes);
        indexPairs(index, lines);
        expect(countLines(lines, sets, index)).toEqual(expected);
        expect(indexPairs(index, lines)).toEqual(plainPairs(lines, pick(pool, first)));
      }),
      { numRuns: 300, seed: 1611 },
    );
  });

  it("serves a thousand rules sharing literals, anchored and folded ones among them, over long lines", () => {
    const pool: Literal[] = [];
    for (let n = 0; n < 300; n++)
      pool.push(
        { text: `/api/user/${n}`, fold: false },
        { text: `x-trace-${n}`, fold: true },
        { text: `\n${n % 256}.${(n * 7) % 256}.`, fold: false },
      );
    const perRule = Array.from({ length: 1000 }, (_, rule) =>
      rule % 97 === 0 ? undefined : [pool[rule % pool.length] as Literal, pool[(rule * 7) % pool.length] as Literal],
    );
    const lines = Array.from({ length: 400 }, (_, i) => {
      const request = `"GET /api/user/${i % 350}/x HTTP/1.1" 200 ${i}`;
      return `${i % 256}.${(i * 7) % 256}.1.1 - - ${request} "X-Trace-${i % 320}" ${"é".repeat(i % 3)}`;
    });
    expect(indexPairs(new LiteralIndex(perRule), lines)).toEqual(plainPairs(lines, perRule));
    // The same with most states compact: the /api/user/ chains and the failure links out of them.
    expect(indexPairs(new LiteralIndex(perRule, [], 4096), lines)).toEqual(plainPairs(lines, perRule));
  });

  it("lists in order the hundreds of rules a few shared literals serve", () => {
    // Found in the line in another order than the rules they serve: the line's rules come unsorted.
    const shared: Literal[] = ["\n10.", "get", "HTTP", "zz1", "zz2", "zz3"].map((text) => ({
      text,
      fold: text === "get",
    }));
    const perRule = Array.from({ length: 900 }, (_, rule) =>
      rule % 50 === 0 ? undefined : [shared[rule % 3] as Literal, shared[3 + ((rule * 5) % 3)] as Literal],
    );
    const lines = ["10.0.0.1 GET / HTTP/1.1", "GET / http", "x 10.1 HTTP", "nothing", "10.2 get"];
    const index = new LiteralIndex(perRule);
    expect(indexPairs(index, lines)).toEqual(plainPairs(lines, perRule));
  });

  it("finds every literal in a line with more hits than one walk takes (hundreds of overlapping ones)", () => {
    const literals: Literal[] = ["ab", "b", "bab", "AbA", "\nab", "xyz", "é"].map((text) => ({
      text: foldText(text),
      fold: text !== "AbA",
    }));
    const perRule = literals.map((literal, rule) => (rule === 6 ? [literal, literals[0] as Literal] : [literal]));
    // Hits at almost every offset, the rarer literals only near the end (found after the walk went on).
    const lines = ["ab".repeat(400), `${"ab".repeat(300)}xyz`, `${"ba".repeat(200)}AbA`, `${"bab".repeat(150)}é`];
    expect(indexPairs(new LiteralIndex(perRule), lines)).toEqual(plainPairs(lines, perRule));
    expect(indexPairs(new LiteralIndex(perRule, [], 0), lines)).toEqual(plainPairs(lines, perRule));
    // A literal only found if the walk goes on from the very unit and state where it stopped, wherever that is.
    const across: Literal[] = ["q", "qzw", "zz1", "zz2", "zz3"].map((text) => ({ text, fold: false }));
    const runs = Array.from({ length: 300 }, (_, n) => `${"q".repeat(n + 1)}zw`);
    const each = across.map((literal) => [literal]);
    expect(indexPairs(new LiteralIndex(each), runs)).toEqual(plainPairs(runs, each));
    expect(indexPairs(new LiteralIndex(each, [], 0), runs)).toEqual(plainPairs(runs, each));
  });
});
