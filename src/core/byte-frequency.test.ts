// commonRuns against the plain definition it replaced: every run of 4+ characters of a common word, as a set.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commonRuns } from "./byte-frequency.js";
import { referenceRuns, wordPiece } from "./testing/common-words.js";

/** Text made of pieces of the words (cut anywhere, case changed) and stray characters, so runs meet and overlap. */
const piece = fc.oneof(
  wordPiece,
  fc.string({ unit: fc.constantFrom("a", "/", " ", '"', "1", ".", "İ", "\u212a", "x", "("), maxLength: 3 }),
);

describe("commonRuns", () => {
  it("covers exactly what the plain definition covers", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join("");
        expect(commonRuns(text)).toEqual(referenceRuns(text));
      }),
      { numRuns: 3000, seed: 16 },
    );
  });

  it("covers a whole word, the longest run where runs overlap, and nothing in plain text", () => {
    expect(commonRuns('x HTTP/1.1" 200').slice(1, 12).every(Boolean)).toBe(true);
    expect(commonRuns("Mozilla/5.0 (KHTML, like Gecko)").every(Boolean)).toBe(true);
    expect(commonRuns("/api/user/7").some(Boolean)).toBe(false);
    expect(commonRuns("LOCAL")).toEqual([true, true, true, true, true]); // any case
    expect(commonRuns("lo-cal")).toEqual(new Array(6).fill(false));
  });
});
