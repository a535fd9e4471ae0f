// commonRuns against the plain definition it replaced: every run of 4+ characters of a common word, as a set.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commonRuns } from "./byte-frequency.js";

/** The words of byte-frequency.ts (lower case), as the reference knows them. */
const WORDS = [
  ' HTTP/1.1" ', ' HTTP/1.0" ', ' HTTP/2.0" ', '"GET /', '"POST /', "Mozilla/5.0 (", "(KHTML, like Gecko)",
  "AppleWebKit/", "Windows NT", "Macintosh; Intel Mac OS X", "Linux x86_64", "Chrome/", "Safari/", "Firefox/",
  "+0000] ", "https://www.", "INFO ", "DEBUG ", "localhost",
].map((w) => w.toLowerCase()); // prettier-ignore

/** The original: every run as a string in a set, the longest one at each position looked up from the longest down. */
function reference(text: string): boolean[] {
  const runs = new Set<string>();
  for (const word of WORDS)
    for (let start = 0; start < word.length; start++)
      for (let end = start + 4; end <= word.length; end++) runs.add(word.slice(start, end));
  const longest = Math.max(...WORDS.map((w) => w.length));
  const lower = text.toLowerCase();
  const covered = new Array<boolean>(text.length).fill(false);
  for (let at = 0; at + 4 <= lower.length; at++)
    for (let length = Math.min(longest, lower.length - at); length >= 4; length--)
      if (runs.has(lower.slice(at, at + length))) {
        covered.fill(true, at, at + length);
        break;
      }
  return covered;
}

/** Text made of pieces of the words (cut anywhere, case changed) and stray characters, so runs meet and overlap. */
const piece = fc.oneof(
  fc.tuple(fc.constantFrom(...WORDS), fc.nat(), fc.nat(), fc.boolean()).map(([word, a, b, upper]) => {
    const cut = word.slice(a % word.length, (a % word.length) + 1 + (b % word.length));
    return upper ? cut.toUpperCase() : cut;
  }),
  fc.string({ unit: fc.constantFrom("a", "/", " ", '"', "1", ".", "İ", "\u212a", "x", "("), maxLength: 3 }),
);

describe("commonRuns", () => {
  it("covers exactly what the plain definition covers", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join("");
        expect(commonRuns(text)).toEqual(reference(text));
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
