// LineSplitter.load/next: a read's lines taken a slice at a time are the lines of one whole split, and committable
// never moves past a line not yet taken, so a crash between two slices, resumed from it, loses and repeats nothing.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineSplitter, type RawLine } from "./lines.js";
import { Needle } from "./needle.js";
import { chunks } from "../../stats/testing/lines.js";

const MAX_BYTES = 48;
const START = 5;
const NEEDLES = [new Needle("ab"), new Needle("xyz")];

/** Bytes with needles, near misses, CRLF, invalid UTF-8, empty lines and lines far over MAX_BYTES. */
const bytesArb = fc
  .array(
    fc.oneof(
      fc.constantFrom("ab", "xyz", "a", "xy", "b\n", "\n", "\r\n", "\n\n", "é", "q".repeat(70), "ab".repeat(40)),
      fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98]),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 80, size: "large" },
  )
  .map((parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))));

/** Cut points (read sizes) and slice sizes, and where a crash comes (an index among the next() calls). */
const planArb = fc.record({
  cuts: fc.array(fc.nat(600), { maxLength: 8 }),
  slices: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
  crashAt: fc.nat(24),
  selective: fc.boolean(),
});

type Plan = typeof planArb extends fc.Arbitrary<infer P> ? P : never;

interface Taken {
  lines: RawLine[];
  /** committable just before the crash (after the last next() that ran), or at the end. */
  committable: number;
  crashed: boolean;
}

/**
 * Feed `bytes` (the file from `offset`) read by read, taking each read's lines a slice at a time, and stop after
 * `crashAt` next() calls. Checks on the way that committable never passes a line still to come.
 */
function takeSliced(bytes: Buffer, offset: number, plan: Plan, crashAt: number): Taken {
  const s = new LineSplitter(MAX_BYTES, offset);
  const needles = plan.selective ? NEEDLES : undefined;
  const lines: RawLine[] = [];
  let calls = 0;
  let read = 0;
  for (const chunk of chunks(bytes, plan.cuts)) {
    const before = s.committable;
    s.load(chunk, needles);
    expect(s.committable).toBe(before); // loading takes nothing
    for (;;) {
      if (calls === crashAt) return { lines, committable: s.committable, crashed: true };
      const max = plan.slices[calls++ % plan.slices.length] as number;
      const got = s.next(max);
      if (!got) break;
      expect(got.length).toBeLessThanOrEqual(max + Math.floor(max / 4));
      lines.push(...got);
      // Every line taken so far starts before committable: a restart from it repeats none of them.
      if (lines.length > 0) expect((lines.at(-1) as RawLine).offset).toBeLessThan(s.committable);
    }
    expect(s.loaded).toBe(false);
    expect(s.next(1)).toBeUndefined();
    read += chunk.length;
    expect(s.end).toBe(offset + read);
  }
  return { lines, committable: s.committable, crashed: false };
}

/** The lines a selective split must return: those whose bytes hold a needle (it may return more, never fewer). */
function holdsNeedle(whole: Buffer, line: RawLine): boolean {
  const raw = whole.subarray(line.offset - START, line.offset - START + line.bytes);
  return NEEDLES.some((n) => raw.includes(Buffer.from(n.bytes)));
}

describe("LineSplitter.load/next", () => {
  it("takes exactly the lines of one whole split, slice by slice, across any reads (property)", () => {
    fc.assert(
      fc.property(bytesArb, planArb, (bytes, plan) => {
        const whole = new LineSplitter(MAX_BYTES, START);
        const expected = whole.push(bytes);
        const got = takeSliced(bytes, START, plan, -1);
        if (!plan.selective) expect(got.lines).toEqual(expected);
        else {
          const byOffset = new Map(expected.map((l) => [l.offset, l]));
          for (const l of got.lines) expect(l).toEqual(byOffset.get(l.offset));
          const offsets = new Set(got.lines.map((l) => l.offset));
          for (const l of expected) if (holdsNeedle(bytes, l)) expect(offsets.has(l.offset)).toBe(true);
        }
        expect(got.committable).toBe(whole.committable);
      }),
      { numRuns: 400 },
    );
  });

  it("a crash between slices resumed from committable loses and repeats no line (property)", () => {
    fc.assert(
      fc.property(bytesArb, planArb, (bytes, plan) => {
        const whole = new LineSplitter(MAX_BYTES, START);
        const expected = whole.push(bytes);
        const wanted = plan.selective ? expected.filter((l) => holdsNeedle(bytes, l)) : expected;
        const first = takeSliced(bytes, START, plan, plan.crashAt);
        const resumeAt = first.committable;
        expect(resumeAt).toBeGreaterThanOrEqual(START);
        // The restart reads the file again from the checkpoint, in other reads and slices.
        const rest = bytes.subarray(resumeAt - START);
        const second = takeSliced(rest, resumeAt, { ...plan, cuts: plan.cuts.map((c) => c * 7) }, -1);
        const all = [...first.lines, ...second.lines];
        const offsets = all.map((l) => l.offset);
        expect(new Set(offsets).size).toBe(offsets.length); // nothing twice
        const got = new Set(offsets);
        for (const l of wanted) expect(got.has(l.offset), `line at ${l.offset} lost`).toBe(true);
        for (const l of first.lines) expect(l.offset).toBeLessThan(resumeAt);
        // Read whole again from the checkpoint, the lines are those of the first run from there on.
        const byOffset = new Map(expected.map((l) => [l.offset, l]));
        for (const l of second.lines) expect(l).toEqual(byOffset.get(l.offset));
        expect(second.committable).toBe(whole.committable);
      }),
      { numRuns: 400 },
    );
  });

  it("a slice leaves committable at the next line to take, past the lines the needles left out", () => {
    const s = new LineSplitter(1024, 100);
    s.load(Buffer.from("ab 1\nno\nab 2\nno\nno\nab 3\ntail"), NEEDLES);
    expect(s.committable).toBe(100);
    expect(s.next(1)?.map((l) => l.text)).toEqual(["ab 1"]);
    expect(s.committable).toBe(108); // "ab 2": the line in between was left out, nothing of it is owed
    expect(s.next(1)?.map((l) => l.text)).toEqual(["ab 2"]);
    expect(s.committable).toBe(119);
    expect(s.loaded).toBe(true);
    expect(s.next(1)?.map((l) => l.text)).toEqual(["ab 3"]);
    expect(s.loaded).toBe(false); // the last line taken: the unfinished "tail" is kept
    expect(s.committable).toBe(124);
    expect(s.pending).toBe(true);
    expect(() => s.load(Buffer.from("x"))).not.toThrow();
  });

  it("refuses a new chunk or a flush while lines of the loaded one are untaken; reset drops them", () => {
    const s = new LineSplitter(1024);
    s.load(Buffer.from("a\nb\nc\n"));
    expect(s.next(1)?.map((l) => l.text)).toEqual(["a"]);
    expect(() => s.load(Buffer.from("d\n"))).toThrow(/not all taken/);
    expect(() => s.flush()).toThrow(/not all taken/);
    s.reset(s.committable);
    expect(s.committable).toBe(2);
    expect(s.push(Buffer.from("b\n")).map((l) => l.offset)).toEqual([2]);
  });
});
