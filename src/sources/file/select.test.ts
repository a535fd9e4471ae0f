import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineSplitter, type RawLine } from "./lines.js";
import { Needle } from "./needle.js";
import { candidateSpans } from "./select.js";

/** Push the chunks through one splitter; all lines, with the count of lines each push completed. */
function split(chunks: Buffer[], maxBytes: number, needles?: Needle[]): { lines: RawLine[]; completed: number } {
  const splitter = new LineSplitter(maxBytes, 7);
  const lines: RawLine[] = [];
  let completed = 0;
  for (const chunk of chunks) {
    lines.push(...splitter.push(chunk, needles));
    completed += splitter.completed;
  }
  return { lines, completed };
}

/** Cut bytes into chunks at the given (sorted, deduplicated) points. */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

describe("candidateSpans", () => {
  it("finds each line containing a needle once, in order, and counts every line", () => {
    const chunk = Buffer.from("a foo\nbar\nfoo bar foo\nbaz\n");
    const spans = candidateSpans(chunk, 0, chunk.length, [new Needle("foo"), new Needle("bar")]);
    expect(spans).toEqual({ starts: [0, 6, 10], ends: [5, 9, 21], lines: 4 });
  });

  it("looks only inside its region", () => {
    const chunk = Buffer.from("foo\nxx\nfoo\nfoo");
    expect(candidateSpans(chunk, 4, 11, [new Needle("foo")])).toEqual({ starts: [7], ends: [10], lines: 2 });
  });
});

describe("candidateSpans with the SIMD kernel", () => {
  const unit = fc.constantFrom("GET /wp-login.php", "a", "é", "\n", "\r\n", " 404 ", "\u00ff", "x".repeat(40));
  const chunkArb = fc.array(unit, { maxLength: 200, size: "max" }).map((parts) => Buffer.from(`${parts.join("")}\n`));
  const needleArb = fc.array(fc.constantFrom("wp-login.php", "a", " 404 ", "é", "xx\nG", "\u00ff", "zz"), {
    minLength: 1,
    maxLength: 3,
  });

  it("finds the same lines and counts the same lines as the plain search", () => {
    fc.assert(
      fc.property(chunkArb, needleArb, fc.nat(), (chunk, literals, x) => {
        // Any whole-line region: from a line start to the end.
        const starts = [0, ...[...chunk.keys()].filter((i) => chunk[i - 1] === 0x0a && i < chunk.length)];
        const from = starts[x % starts.length] as number;
        const needles = literals.map((l) => new Needle(l));
        const plain = candidateSpans(chunk, from, chunk.length, needles, null);
        expect(candidateSpans(chunk, from, chunk.length, needles)).toEqual(plain);
      }),
      { numRuns: 1000, seed: 9 },
    );
  });
});

describe("LineSplitter with needles", () => {
  const unit = fc.constantFrom(..."ab\n\r\n".split(""), "ab", "é", "\u00ff", "\n", "\r\n", "bé");
  const bytesArb = fc
    .tuple(fc.array(unit, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }))
    .map(([parts, junk]) => Buffer.concat([Buffer.from(parts.join("")), Buffer.from(junk)]));
  const needleArb = fc.array(fc.constantFrom("a", "ab", "é", "bé", "ba", "b\r", "\u00ff", "zz"), {
    minLength: 1,
    maxLength: 3,
  });

  it("returns exactly the lines whose text has a needle (and maybe a few more), never one the full path lacks", () => {
    fc.assert(
      fc.property(
        bytesArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        needleArb,
        fc.constantFrom(8, 1 << 20),
        (bytes, points, literals, maxBytes) => {
          const chunks = cut(bytes, points);
          const full = split(chunks, maxBytes);
          const selected = split(
            chunks,
            maxBytes,
            literals.map((l) => new Needle(l)),
          );
          expect(selected.completed).toBe(full.completed);
          expect(selected.completed).toBe(full.lines.length);
          const byOffset = new Map(full.lines.map((l) => [l.offset, l]));
          for (const line of selected.lines) expect(line).toEqual(byOffset.get(line.offset));
          const chosen = new Set(selected.lines.map((l) => l.offset));
          // Only lines shorter than maxBytes are filtered: a cut line's text is not its bytes.
          for (const line of full.lines)
            if (line.cut === 0 && literals.some((l) => line.text.includes(l)))
              expect(chosen.has(line.offset)).toBe(true);
          expect([...chosen]).toEqual([...chosen].sort((a, b) => a - b));
        },
      ),
      { numRuns: 3000, seed: 5 },
    );
  });

  it("keeps the unfinished line and the read position as the full path does", () => {
    const full = new LineSplitter(1024);
    const selective = new LineSplitter(1024);
    for (const text of ["x foo\nbar\nfo", "o tail\nlast foo"]) {
      full.push(Buffer.from(text));
      selective.push(Buffer.from(text), [new Needle("foo")]);
      expect(selective.committable).toBe(full.committable);
      expect(selective.end).toBe(full.end);
    }
    expect(selective.flush()).toEqual(full.flush());
  });
});

describe("candidateSpans with case folding and many needles", () => {
  const unit = fc.constantFrom(
    "GET /WP-Login.php",
    "a",
    "A",
    "\u00e9",
    "\n",
    "\r\n",
    " 404 ",
    "@`[{",
    "x".repeat(20),
    "Zz",
  );
  const chunkArb = fc.array(unit, { maxLength: 120, size: "max" }).map((parts) => Buffer.from(`${parts.join("")}\n`));
  const literalArb = fc.record({
    // A leading newline anchors a literal at the start of a line (the region's first line included).
    text: fc.constantFrom(
      ..."wp-login.php|WP-Login|a| 404 |é|@|`[|zz|get /|GET".split("|"),
      ..."\nGET /|\na|\nA|\n|\nxx".split("|"),
    ),
    fold: fc.boolean(),
  });
  const foldBytes = (b: Buffer): Buffer => Buffer.from(b.map((c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)));

  /** The lines of chunk[from, end) holding a needle (each read with a newline before it), found line by line. */
  function reference(chunk: Buffer, from: number, needles: Needle[]): { starts: number[]; ends: number[] } {
    const out = { starts: [] as number[], ends: [] as number[] };
    for (let start = from; start < chunk.length;) {
      const end = chunk.indexOf(0x0a, start);
      const line = Buffer.concat([Buffer.from("\n"), chunk.subarray(start, end)]);
      if (needles.some((n) => (n.fold ? foldBytes(line) : line).includes(n.bytes))) {
        out.starts.push(start);
        out.ends.push(end);
      }
      start = end + 1;
    }
    return out;
  }

  it("finds exactly the lines holding a needle (folded, anchored), with and without the kernel", () => {
    fc.assert(
      fc.property(chunkArb, fc.array(literalArb, { minLength: 1, maxLength: 9 }), fc.nat(), (chunk, raw, x) => {
        const starts = [0, ...[...chunk.keys()].filter((i) => chunk[i - 1] === 0x0a && i < chunk.length)];
        const from = starts[x % starts.length] as number;
        const needles = raw.map(({ text, fold }) => new Needle({ text: fold ? text.toLowerCase() : text, fold }));
        const expected = reference(chunk, from, needles);
        for (const kernel of [undefined, null] as const) {
          const spans = candidateSpans(chunk, from, chunk.length, needles, kernel);
          expect({ starts: spans.starts, ends: spans.ends }).toEqual(expected);
          expect(spans.lines).toBe(starts.filter((s) => s >= from).length);
        }
      }),
      { numRuns: 1000, seed: 16 },
    );
  });
});
