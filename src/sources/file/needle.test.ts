import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Needle } from "./needle.js";

/** Every start of the needle in chunk[from, end), the plain way. */
function plainHits(chunk: Buffer, needle: Buffer, from: number, end: number): number[] {
  const hits: number[] = [];
  for (let at = chunk.indexOf(needle, from); at >= 0 && at + needle.length <= end; at = chunk.indexOf(needle, at + 1))
    hits.push(at);
  return hits;
}

function needleHits(needle: Needle, chunk: Buffer, from: number, end: number): number[] {
  needle.startChunk(end - from);
  const hits: number[] = [];
  for (let at = needle.find(chunk, from, end); at >= 0; at = needle.find(chunk, at + 1, end)) hits.push(at);
  return hits;
}

describe("Needle", () => {
  it("finds what indexOf finds, whether its rare byte is rare or common, over many chunks", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "y", "q", " ", "é", "\n"), maxLength: 3000 });
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 8 }),
        fc.constantFrom("ay", "qa", "yq", "é", "a", "by b", "qqq"),
        (chunks, literal) => {
          const needle = new Needle(literal);
          for (const body of chunks) {
            const chunk = Buffer.from(body);
            const from = Math.min(3, chunk.length);
            expect(needleHits(needle, chunk, from, chunk.length)).toEqual(
              plainHits(chunk, needle.bytes, from, chunk.length),
            );
          }
        },
      ),
      { numRuns: 1500, seed: 3 },
    );
  });

  it("searches around its rarest byte", () => {
    const chunk = Buffer.from(`${"python-requests/2.30.0 ".repeat(50)}python-requests/2.31.0`);
    const needle = new Needle("python-requests/2.31.0");
    expect(needleHits(needle, chunk, 0, chunk.length)).toEqual([chunk.length - 22]);
  });
});
