import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldUnit } from "../../core/literals.js";
import { scanKernel } from "./kernel/kernel.js";
import { Needle } from "./needle.js";
import { NeedleSet } from "./needle-set.js";

const NEWLINE = 0x0a;
// A small alphabet, so that needles occur and windows collide often: ASCII letters of both cases, bytes that equal
// others once OR 0x20 (the filter's folding: "\n" and "*", "@" and "`"), UTF-8 and other bytes of 0x80 and up.
const ALPHABET = [0x61, 0x62, 0x41, 0x42, 0x20, 0x2a, 0x40, 0x60, 0xc3, 0xa9, 0xff, 0x31];

/** Each line read with a newline before it, the lines of chunk[from, end) holding a needle (the naive search). */
function reference(chunk: Buffer, from: number, end: number, needles: readonly Needle[]): [number[], number[]] {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let start = from; start < end;) {
    const lineEnd = chunk.indexOf(NEWLINE, start);
    const line = Buffer.concat([Buffer.from([NEWLINE]), chunk.subarray(start, lineEnd)]);
    const folded = Buffer.from(line.map(foldUnit));
    if (needles.some((n) => (n.fold ? folded : line).includes(n.bytes))) {
      starts.push(start);
      ends.push(lineEnd);
    }
    start = lineEnd + 1;
  }
  return [starts, ends];
}

const byteArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ALPHABET) },
  { weight: 1, arbitrary: fc.constant(NEWLINE) },
);
const needleArb = (minLength: number) =>
  fc
    .record({
      body: fc.array(byteArb, { minLength, maxLength: 40 }),
      fold: fc.boolean(),
      anchored: fc.boolean(),
    })
    .map(({ body, fold, anchored }) => {
      const bytes = Buffer.from(anchored ? [NEWLINE, ...body] : body);
      return new Needle({ text: (fold ? bytes.map(foldUnit) : bytes).toString("latin1"), fold });
    });
/**
 * A near miss of a needle: its bytes with some letters' case flipped (a match only when folded), one byte
 * changed, or its last byte dropped; the same 4-byte windows, so they reach the verification.
 */
const nearMissArb = (needles: readonly Needle[]) =>
  fc
    .tuple(
      fc.constantFrom(...needles),
      fc.nat(),
      fc.constantFrom("case", "byte", "short"),
      fc.constantFrom(...ALPHABET),
    )
    .map(([needle, seed, how, byte]) => {
      const bytes = Buffer.from(needle.bytes);
      if (how === "short") return bytes.subarray(0, bytes.length - 1);
      if (how === "byte") bytes[seed % bytes.length] = byte;
      else for (let i = 0; i < bytes.length; i++) if ((seed >> (i % 30)) & 1) bytes[i] = flipCase(bytes[i] as number);
      return bytes;
    });

function flipCase(byte: number): number {
  const letter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a;
  return letter ? byte ^ 0x20 : byte;
}

/** Lines of alphabet bytes; a needle's own bytes or a near miss now and then, so that long needles occur too. */
const chunkArb = (needles: readonly Needle[]) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.array(byteArb, { maxLength: 30 }).map((b) => Buffer.from(b)) },
        { weight: 1, arbitrary: fc.constantFrom(...needles).map((n) => n.bytes) },
        { weight: 1, arbitrary: nearMissArb(needles) },
        { weight: 1, arbitrary: fc.constant(Buffer.from([NEWLINE])) },
      ),
      { maxLength: 300 },
    )
    .map((parts) => Buffer.concat([...parts, Buffer.from([NEWLINE])]));

/** A region of whole lines: from a line start (maybe not the chunk's) to after a newline. */
function region(chunk: Buffer, x: number, y: number): [number, number] {
  const starts = [0, ...[...chunk.keys()].filter((i) => chunk[i - 1] === NEWLINE && i < chunk.length)];
  const from = starts[x % starts.length] as number;
  const ends = [...chunk.keys()].filter((i) => i >= from && chunk[i] === NEWLINE).map((i) => i + 1);
  return [from, ends[y % ends.length] as number];
}

function collect(set: NeedleSet, chunk: Buffer, from: number, end: number, withKernel: boolean): [number[], number[]] {
  const kernel = withKernel ? (scanKernel() ?? null) : null;
  kernel?.load(chunk, from, end);
  const starts: number[] = [];
  const ends: number[] = [];
  set.collect(chunk, from, end, starts, ends, kernel);
  return [starts, ends];
}

describe("NeedleSet", () => {
  it("finds exactly the lines a naive search finds, kernel or not, over chunks its windows were not chosen on", () => {
    const caseArb = fc
      .integer({ min: 1, max: 12 })
      .chain((shortest) => fc.array(needleArb(shortest), { minLength: 1, maxLength: 60 }))
      .chain((needles) => fc.tuple(fc.constant(needles), chunkArb(needles), chunkArb(needles), fc.nat(), fc.nat()));
    fc.assert(
      fc.property(caseArb, fc.constantFrom(undefined, 2, 3, 4), ([needles, first, second, x, y], stride) => {
        const sets = [new NeedleSet(needles, stride), new NeedleSet(needles, stride)];
        for (const chunk of [first, second]) {
          const [from, end] = region(chunk, x, y);
          const expected = reference(chunk, from, end, needles);
          expect(collect(sets[0] as NeedleSet, chunk, from, end, true)).toEqual(expected);
          expect(collect(sets[1] as NeedleSet, chunk, from, end, false)).toEqual(expected);
        }
      }),
      { numRuns: 400, seed: 1616 },
    );
  });

  it("stays exact with thousands of needles (full tables, shared windows, every stride)", () => {
    const caseArb = fc
      .integer({ min: 1, max: 12 })
      .chain((shortest) => fc.array(needleArb(shortest), { minLength: 500, maxLength: 3000 }))
      .chain((needles) => fc.tuple(fc.constant(needles), chunkArb(needles), fc.nat(), fc.nat()));
    fc.assert(
      fc.property(caseArb, fc.constantFrom(undefined, 2, 4), ([needles, chunk, x, y], stride) => {
        const [from, end] = region(chunk, x, y);
        const expected = reference(chunk, from, end, needles);
        expect(collect(new NeedleSet(needles, stride), chunk, from, end, true)).toEqual(expected);
        expect(collect(new NeedleSet(needles, stride), chunk, from, end, false)).toEqual(expected);
      }),
      { numRuns: 25, seed: 2500, endOnFailure: true },
    );
  });

  it("verifies in the kernel through long buckets of colliding windows: only the naive hits leave it", () => {
    const kernel = scanKernel();
    if (!kernel) throw new Error("the kernel does not run here (no WebAssembly SIMD)");
    // Four bytes that OR 0x20 makes two ("a"/"A", "*"/"\n"), needles of 8+ bytes (no pair table): thousands of
    // needles over few distinct windows, so each byte-table slot holds long lists, folded and not, anchored or not.
    const tinyByte = fc.constantFrom(0x61, 0x41, 0x2a, 0x62);
    const tinyNeedle = fc
      .record({ body: fc.array(tinyByte, { minLength: 8, maxLength: 16 }), fold: fc.boolean(), anchored: fc.boolean() })
      .map(({ body, fold, anchored }) => {
        const bytes = Buffer.from(anchored ? [NEWLINE, ...body] : body);
        return new Needle({ text: (fold ? bytes.map(foldUnit) : bytes).toString("latin1"), fold });
      });
    const caseArb = fc
      .array(tinyNeedle, { minLength: 200, maxLength: 3000 })
      .chain((needles) => fc.tuple(fc.constant(needles), chunkArb(needles), fc.nat(), fc.nat()));
    fc.assert(
      fc.property(caseArb, fc.constantFrom(undefined, 1, 2, 4), ([needles, chunk, x, y], stride) => {
        const [from, end] = region(chunk, x, y);
        const set = new NeedleSet(needles, stride);
        const returned: boolean[] = [];
        const run = kernel.runWindowFilter.bind(kernel);
        const counting = Object.assign(Object.create(kernel) as typeof kernel, {
          runWindowFilter: (...args: Parameters<typeof run>) => {
            const at = run(...args);
            if (at >= 0) returned.push(kernel.windowVerified);
            return at;
          },
          // The line-start pass returns verified hits only (its last byte): run on the kernel itself.
          runLineStarts: kernel.runLineStarts.bind(kernel),
        });
        kernel.load(chunk, from, end);
        const found: [number[], number[]] = [[], []];
        set.collect(chunk, from, end, found[0], found[1], counting);
        expect(found).toEqual(reference(chunk, from, end, needles));
        expect(returned.every((verified) => verified)).toBe(true);
      }),
      { numRuns: 40, seed: 4096, endOnFailure: true },
    );
  });

  it("finds long needles at any offset of a big region, across 16-byte steps and at both edges", () => {
    const lengths = fc.array(fc.integer({ min: 4, max: 40 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(lengths, fc.nat(), fc.boolean(), fc.constantFrom(undefined, 2, 3, 4), (sizes, seed, fold, stride) => {
        // Needles of distinct random-looking letters, so each stride and window placement is exercised.
        const needles = sizes.map((n, i) => {
          const text = [...Array(n).keys()].map((k) => String.fromCharCode(0x61 + ((seed + i * 7 + k * 13) % 26)));
          return new Needle({ text: text.join(""), fold });
        });
        const filler = Buffer.alloc(4096, " ");
        const chunk = Buffer.concat([
          Buffer.from((needles[0] as Needle).bytes.toString().toUpperCase()),
          filler,
          ...needles.flatMap((n, i) => [n.bytes, Buffer.alloc(1 + ((seed + i) % 23), "-"), Buffer.from("\n")]),
          Buffer.from((needles[needles.length - 1] as Needle).bytes),
          Buffer.from("\n"),
        ]);
        const expected = reference(chunk, 0, chunk.length, needles);
        expect(collect(new NeedleSet(needles, stride), chunk, 0, chunk.length, true)).toEqual(expected);
        expect(collect(new NeedleSet(needles, stride), chunk, 0, chunk.length, false)).toEqual(expected);
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it("finds needles whose rarest window ends them (the 8 bytes tested start before the window)", () => {
    for (const text of ["aaaaaaaaaaaaXYZW", "aaaaaaXYZ", "aaaaXY", "aaaaaaaXYZWV"]) {
      for (const stride of [undefined, 1, 2]) {
        const needles = [new Needle(text), new Needle({ text: text.toLowerCase(), fold: true })];
        // Lines of the needle's common prefix first, so that the counts choose its last window.
        const chunk = Buffer.from(`${"aaaaaaaaaaaaaaaaaaaa\n".repeat(200)}b${text}\nc${text.toUpperCase()}c\nd\n`);
        const expected = reference(chunk, 0, chunk.length, needles);
        expect(expected[0]).toHaveLength(2);
        expect(collect(new NeedleSet(needles, stride), chunk, 0, chunk.length, true)).toEqual(expected);
        expect(collect(new NeedleSet(needles, stride), chunk, 0, chunk.length, false)).toEqual(expected);
      }
    }
  });
});

describe("NeedleSet split: line-start needles in a pass of their own", () => {
  it("finds exactly the naive lines, merged in order once each, whether or not the set is split", () => {
    // Short and long needles, anchored or not, folded or not; a region from a line start or from the newline before
    // one (where Teddy hands a region over); lines already in the lists (Teddy's) stay first.
    const caseArb = fc
      .tuple(fc.array(needleArb(1), { minLength: 1, maxLength: 12 }), fc.array(needleArb(8), { maxLength: 40 }))
      .map(([short, long]) => [...short, ...long])
      .chain((needles) => fc.tuple(fc.constant(needles), chunkArb(needles), fc.nat(), fc.nat(), fc.boolean()));
    fc.assert(
      fc.property(
        caseArb,
        fc.constantFrom(undefined, 1, 2, 3, 4),
        fc.constantFrom(true, false, undefined),
        ([needles, chunk, x, y, atNewline], stride, split) => {
          const [start, end] = region(chunk, x, y);
          const from = atNewline && start > 0 ? start - 1 : start;
          const [starts, ends] = reference(chunk, from, end, needles);
          const kernel = scanKernel();
          if (!kernel) throw new Error("the kernel does not run here (no WebAssembly SIMD)");
          kernel.load(chunk, from, end);
          const found: [number[], number[]] = [[-7], [-6]];
          new NeedleSet(needles, stride, split).collect(chunk, from, end, found[0], found[1], kernel);
          expect(found).toEqual([
            [-7, ...starts],
            [-6, ...ends],
          ]);
        },
      ),
      { numRuns: 600, seed: 1633 },
    );
  });

  it("finds line-start needles at every line start of a big region, the first one and the last one too", () => {
    const kernel = scanKernel();
    if (!kernel) throw new Error("the kernel does not run here (no WebAssembly SIMD)");
    // Lines of every length 0 to 40, so line starts fall on every lane of the kernel's 32-byte steps.
    const lines = Array.from({ length: 2000 }, (_, i) => "xyzw".repeat(10).slice(0, (i * 7) % 41));
    const needles = [new Needle("\nQ7"), new Needle({ text: "\nr8!", fold: true }), new Needle("\nSSSS9")];
    fc.assert(
      fc.property(fc.array(fc.nat(1999), { maxLength: 30 }), fc.nat(3), fc.nat(), (marked, which, tail) => {
        const text = lines.map((line, i) => (marked.includes(i) ? ["Q7", "R8!", "SSSS9", "q7"][which] + line : line));
        const chunk = Buffer.from(`${text.join("\n")}\n${"#".repeat(tail % 40)}`);
        const end = chunk.lastIndexOf(NEWLINE) + 1;
        kernel.load(chunk, 0, end);
        const found: [number[], number[]] = [[], []];
        new NeedleSet(needles, undefined, true).collect(chunk, 0, end, found[0], found[1], kernel);
        expect(found).toEqual(reference(chunk, 0, end, needles));
      }),
      { numRuns: 60, seed: 77 },
    );
  });
});
