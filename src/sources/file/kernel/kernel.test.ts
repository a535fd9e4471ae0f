import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KERNEL_REGION_BYTES, type KernelNeedle, ScanKernel, scanKernel } from "./kernel.js";
import { SCAN_WASM_BASE64 } from "./scan-wasm.js";
import { WindowFilter } from "../window-filter.js";

const kernel = scanKernel();
if (!kernel) throw new Error("Node 20 runs WebAssembly SIMD: the kernel must load");

/**
 * A needle with the given two positions tested first (any two, not only its rarest: results must not depend on them).
 */
function needleOf(bytes: Buffer, a: number, b: number): KernelNeedle {
  const i = a % bytes.length;
  const j = b % bytes.length;
  return { bytes, pair: i <= j ? [i, j] : [j, i] };
}

function plainCount(chunk: Buffer, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) if (chunk[i] === 0x0a) n++;
  return n;
}

function plainFind(chunk: Buffer, needle: Buffer, from: number, end: number): number {
  const hit = chunk.indexOf(needle, from);
  return hit >= 0 && hit + needle.length <= end ? hit : -1;
}

/** Bytes from a small alphabet (so needles occur) with newlines, or anything. */
const alphabet = fc.constantFrom(0x61, 0x62, 0x0a, 0x00, 0xff, 0x63);
// size "max": fast-check otherwise keeps arrays to about ten items, shorter than one 64-byte step of the kernel.
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300, size: "max" }),
  fc.array(alphabet, { maxLength: 300, size: "max" }).map((a) => Uint8Array.from(a)),
);
const needleArb = fc.array(alphabet, { minLength: 1, maxLength: 20 }).map((a) => Buffer.from(a));

describe("ScanKernel", () => {
  it("counts the newlines of any region like a byte loop", () => {
    fc.assert(
      fc.property(bytesArb, fc.nat(), fc.nat(), (raw, x, y) => {
        const chunk = Buffer.from(raw);
        const from = x % (chunk.length + 1);
        const end = from + (y % (chunk.length - from + 1));
        kernel.load(chunk, from, end);
        expect(kernel.count(from, end)).toBe(plainCount(chunk, from, end));
      }),
      { numRuns: 500 },
    );
  });

  it("finds every occurrence indexOf finds, in order, whichever two bytes it tests first", () => {
    fc.assert(
      fc.property(bytesArb, needleArb, fc.nat(), fc.nat(), fc.nat(), fc.nat(), (raw, bytes, x, y, a, b) => {
        const chunk = Buffer.from(raw);
        const from = x % (chunk.length + 1);
        const end = from + (y % (chunk.length - from + 1));
        const needle = needleOf(bytes, a, b);
        kernel.load(chunk, from, end);
        for (let at = from; ;) {
          const expected = plainFind(chunk, bytes, at, end);
          expect(kernel.find(needle, at, end)).toBe(expected);
          if (expected < 0) break;
          at = expected + 1;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds a lower-case needle in either case with fold, like indexOf on the folded bytes", () => {
    // Letters, and the bytes that differ from a letter only in bit 5 ("@" "`" "[" "{"), which must not match.
    const folding = fc.constantFrom(0x61, 0x41, 0x62, 0x42, 0x40, 0x60, 0x5b, 0x7b, 0x0a, 0x31);
    const raw = fc.array(folding, { maxLength: 300, size: "max" }).map((a) => Buffer.from(a));
    const lower = fc.array(fc.constantFrom(0x61, 0x62, 0x60, 0x7b, 0x31), { minLength: 1, maxLength: 8 });
    const fold = (b: Buffer): Buffer => Buffer.from(b.map((c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)));
    fc.assert(
      fc.property(raw, lower, fc.nat(), fc.nat(), fc.nat(), fc.nat(), (chunk, bytes, x, y, a, b) => {
        const from = x % (chunk.length + 1);
        const end = from + (y % (chunk.length - from + 1));
        const needle = { ...needleOf(Buffer.from(bytes), a, b), fold: true };
        kernel.load(chunk, from, end);
        const folded = fold(chunk);
        for (let at = from; ;) {
          const expected = plainFind(folded, needle.bytes, at, end);
          expect(kernel.find(needle, at, end)).toBe(expected);
          if (expected < 0) break;
          at = expected + 1;
        }
      }),
      { numRuns: 500, seed: 4 },
    );
  });

  it("scans a whole region, with a needle at its very start and end", () => {
    const chunk = Buffer.alloc(KERNEL_REGION_BYTES + 10, 0x2e);
    chunk.write("needle", 10);
    chunk.write("needle", KERNEL_REGION_BYTES + 4);
    chunk.fill(0x0a, 5000, 5003);
    const needle = needleOf(Buffer.from("needle"), 0, 5);
    kernel.load(chunk, 10, KERNEL_REGION_BYTES + 10);
    expect(kernel.find(needle, 10, KERNEL_REGION_BYTES + 10)).toBe(10);
    expect(kernel.find(needle, 11, KERNEL_REGION_BYTES + 10)).toBe(KERNEL_REGION_BYTES + 4);
    expect(kernel.find(needle, 11, KERNEL_REGION_BYTES + 9)).toBe(-1);
    expect(kernel.count(10, KERNEL_REGION_BYTES + 10)).toBe(3);
    expect(() => kernel.load(chunk, 9, KERNEL_REGION_BYTES + 10)).toThrow(RangeError);
  });

  it("takes a new needle after another one", () => {
    const chunk = Buffer.from("xx abc yy def\n");
    kernel.load(chunk, 0, chunk.length);
    expect(kernel.find(needleOf(Buffer.from("def"), 0, 2), 0, chunk.length)).toBe(10);
    expect(kernel.find(needleOf(Buffer.from("abc"), 0, 2), 0, chunk.length)).toBe(3);
    expect(kernel.find(needleOf(Buffer.from("abd"), 0, 2), 0, chunk.length)).toBe(-1);
  });
});

describe("ScanKernel window filters", () => {
  const KERNEL_MODULE = new WebAssembly.Module(Buffer.from(SCAN_WASM_BASE64, "base64"));
  it("gives each filter its own results when more filters take turns than stay resident", () => {
    // Sixteen letters: each filter's needles are rare in the text but for the copies of them put in it.
    const letter = fc.integer({ min: 0x61, max: 0x70 });
    const wordArb = fc.array(letter, { minLength: 5, maxLength: 10 }).map((w) => Buffer.from(w));
    const filtersArb = fc.array(fc.array(wordArb, { minLength: 1, maxLength: 4 }), { minLength: 7, maxLength: 12 });
    const caseArb = filtersArb.chain((sets) =>
      fc.tuple(
        fc.constant(sets),
        fc.array(
          fc.oneof(
            fc.constantFrom(...sets.flat()),
            letter.map((b) => Buffer.from([b, 0x0a])),
          ),
          {
            minLength: 20,
            maxLength: 80,
          },
        ),
        fc.array(fc.nat(), { minLength: 20, maxLength: 60 }),
      ),
    );
    fc.assert(
      fc.property(caseArb, ([sets, pieces, turns]) => {
        const filters = sets.map((words) => new WindowFilter(words.map((bytes) => ({ bytes, fold: false }))));
        const text = Buffer.concat(pieces);
        // Each filter alone on a kernel of its own: what it must return whatever ran before it on a shared one.
        const alone = filters.map((filter) => {
          const own = new ScanKernel(KERNEL_MODULE); // scanKernel() is one kernel for the whole process
          own.load(text, 0, text.length);
          return (from: number) => own.runWindowFilter(filter, from, text.length);
        });
        kernel.load(text, 0, text.length);
        for (const turn of turns) {
          const i = turn % filters.length;
          const from = turn % text.length;
          expect(kernel.runWindowFilter(filters[i] as WindowFilter, from, text.length)).toBe(alone[i]?.(from));
        }
      }),
      { numRuns: 30, seed: 77 },
    );
  });
});
