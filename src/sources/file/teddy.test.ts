import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { scanKernel } from "./kernel/kernel.js";
import { Needle } from "./needle.js";
import { NeedleSet } from "./needle-set.js";
import { candidateSpans } from "./select.js";
import { type TeddyBudget, TeddySet } from "./teddy.js";

const NEWLINE = 0x0a;
const kernel = scanKernel();
if (!kernel) throw new Error("these tests need the WebAssembly SIMD kernel");

const foldAscii = (b: Buffer): Buffer => Buffer.from(b.map((c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)));

/** The lines of chunk[from, end) holding a needle, line by line: each line read with a newline before it. */
function reference(chunk: Buffer, from: number, end: number, needles: Needle[]): { starts: number[]; ends: number[] } {
  const out = { starts: [] as number[], ends: [] as number[] };
  for (let start = from; start < end;) {
    const lineEnd = chunk.indexOf(NEWLINE, start);
    const line = Buffer.concat([Buffer.from("\n"), chunk.subarray(start, lineEnd)]);
    if (needles.some((n) => (n.fold ? foldAscii(line) : line).includes(n.bytes))) {
      out.starts.push(start);
      out.ends.push(lineEnd);
    }
    start = lineEnd + 1;
  }
  return out;
}

/**
 * Teddy's lines of chunk[from, end), the region loaded in the kernel as candidateSpans loads it; the kernel's
 * memory past the region then holds the bytes that follow it in the chunk, which must not be seen.
 */
function teddyLines(
  chunk: Buffer,
  from: number,
  end: number,
  needles: Needle[],
  budget?: TeddyBudget,
): { starts: number[]; ends: number[] } {
  const out = { starts: [] as number[], ends: [] as number[] };
  if (!kernel) return out;
  kernel.load(chunk, from, chunk.length);
  kernel.load(chunk, from, end);
  // Where Teddy gives up (out of budget), the DFA goes on, as candidateSpans does.
  const rest = new TeddySet(needles, budget).collect(chunk, from, end, out.starts, out.ends, kernel);
  if (rest < end) new NeedleSet(needles).collect(chunk, rest, end, out.starts, out.ends, kernel);
  return out;
}

/**
 * Characters from a small alphabet, so that needles are often found: letters in both cases, and characters whose
 * UTF-8 bytes ASCII folding must leave alone ("Á" is c3 81, and 0x81 | 0x20 would make it "á", c3 a1).
 */
const unitArb = fc.constantFrom("a", "b", "A", "B", ".", " ", "é", "Á", "á");
const lower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const literalArb = fc.record({
  body: fc.array(unitArb, { minLength: 1, maxLength: 40 }),
  anchored: fc.boolean(),
  // A newline inside a needle: no line holds it.
  inner: fc.option(fc.nat(), { freq: 8 }),
  fold: fc.boolean(),
});
const needlesArb = fc.array(literalArb, { minLength: 1, maxLength: 64 }).map((literals) =>
  literals.map(({ body, anchored, inner, fold }) => {
    const units = [...(anchored ? ["\n"] : []), ...body];
    if (inner !== null) units.splice(1 + (inner % units.length), 0, "\n");
    const text = units.join("");
    // Folded needles are lower case, as the rules make them.
    return new Needle({ text: fold ? lower(text) : text, fold });
  }),
);

/** Lines made of needle pieces (case changed at random) and alphabet bytes, then a region inside them. */
const chunkArb = (needles: Needle[]) =>
  fc
    .array(
      fc.array(
        fc.oneof(
          fc
            .record({ needle: fc.nat(needles.length - 1), upper: fc.boolean(), flip: fc.boolean(), cut: fc.nat(40) })
            .map((p) => {
              const b = (needles[p.needle] as Needle).bytes.filter((c) => c !== NEWLINE);
              const piece = Buffer.from(b.subarray(0, Math.max(1, b.length - (p.cut % 3))));
              // Upper case letters; or "á" made "Á" (c3 a1, c3 81): the same bytes but for 0x20, not a case of it.
              const up = (c: number): number => (c >= 0x61 && c <= 0x7a ? c & ~0x20 : c);
              const flip = (c: number): number => (c >= 0x80 && c <= 0xbf ? c ^ 0x20 : c);
              return Buffer.from(piece.map((c) => (p.flip ? flip(c) : p.upper ? up(c) : c)));
            }),
          fc.array(unitArb, { maxLength: 20 }).map((u) => Buffer.from(u.join(""))),
        ),
        { maxLength: 6 },
      ),
      { minLength: 1, maxLength: 30 },
    )
    .map((lines) => Buffer.concat(lines.map((parts) => Buffer.concat([...parts, Buffer.from("\n")]))));

const caseArb = needlesArb.chain((needles) =>
  fc.tuple(fc.constant(needles), chunkArb(needles), fc.nat(), fc.nat(), fc.array(unitArb, { maxLength: 20 })),
);

/** A region of whole lines: from a line start (often not 0) to just after a newline; bytes follow it. */
function region(chunk: Buffer, a: number, b: number): { from: number; end: number } {
  const starts = [0, ...[...chunk.keys()].filter((i) => i > 0 && chunk[i - 1] === NEWLINE && i < chunk.length)];
  const from = starts[a % starts.length] as number;
  const ends = [...chunk.keys()].filter((i) => i >= from && chunk[i] === NEWLINE).map((i) => i + 1);
  return { from, end: ends[b % ends.length] as number };
}

describe("TeddySet", () => {
  it("finds exactly the lines holding a needle: anchored at line starts, folded, any region", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(12), ([needles, lines, a, b, tail], comparisons) => {
        const chunk = Buffer.concat([lines, Buffer.from(tail.join(""))]);
        const { from, end } = region(lines, a, b);
        const want = reference(chunk, from, end, needles);
        const inLines = needles.filter((n) => n.bytes.indexOf(NEWLINE, 1) < 0);
        if (!needles.some((n) => n.bytes.length === 1 && n.bytes[0] === NEWLINE)) {
          expect(teddyLines(chunk, from, end, inLines)).toEqual(want);
          // Out of budget after a few comparisons: the DFA takes over at any point of the region.
          expect(teddyLines(chunk, from, end, inLines, { perByte: 0, least: comparisons })).toEqual(want);
        }
        // The same through the source's entry point, with and without the kernel.
        const lineCount = lines.subarray(from, end).filter((c) => c === NEWLINE).length;
        const everyLine = needles.some((n) => n.bytes.length === 1 && n.bytes[0] === NEWLINE);
        for (const k of [kernel, null]) {
          const spans = candidateSpans(chunk, from, end, needles, k);
          expect(spans.lines).toBe(lineCount);
          if (!everyLine) expect({ starts: spans.starts, ends: spans.ends }).toEqual(want);
        }
      }),
      { numRuns: 600, seed: 16 },
    );
  }, 120_000);

  it("finds a needle at every offset around the 16-byte blocks, the region's first and last line included", () => {
    const needles = [new Needle("\nab"), new Needle({ text: "xyz", fold: true })];
    for (let pad = 0; pad < 40; pad++) {
      for (const body of ["ab", "AB", "-XyZ", "xyz"]) {
        const lines = `${"q".repeat(pad)}\n${body}${"r".repeat(pad % 7)}\nzz${"s".repeat(pad)}${body}\n`;
        const chunk = Buffer.from(`junk\n${lines}${body}`);
        for (const from of [0, 5])
          expect(teddyLines(chunk, from, 5 + lines.length, needles)).toEqual(
            reference(chunk, from, 5 + lines.length, needles),
          );
      }
    }
  });

  it("does not see a needle that begins in the region and goes on past it", () => {
    const chunk = Buffer.from("x\nab\n");
    expect(teddyLines(chunk, 0, 2, [new Needle("\nab"), new Needle("zz")])).toEqual({ starts: [], ends: [] });
  });

  it("finds a line start needle on the region's first line only when the region starts a line there", () => {
    const chunk = Buffer.from("10.1 a\n10.1 b\nx 10.1\n");
    const needles = [new Needle("\n10.1")];
    expect(candidateSpans(chunk, 7, chunk.length, needles)).toEqual({ starts: [7], ends: [13], lines: 2 });
    expect(candidateSpans(chunk, 0, chunk.length, needles)).toEqual({ starts: [0, 7], ends: [6, 13], lines: 3 });
  });

  it("refuses a needle no line can hold", () => {
    expect(() => new TeddySet([new Needle("a\nb")])).toThrow(RangeError);
    expect(() => new TeddySet([new Needle("\n")])).toThrow(RangeError);
  });
});
