// The byte-frequency score of a literal against the plain estimate it replaced (a closure and a run list per
// string): the same number, bit for bit, so every rule keeps the literals it was given.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteFrequency } from "./byte-frequency.js";
import { share } from "./literal-algebra.js";
import { referenceRuns, wordPiece } from "./testing/common-words.js";

/** The estimate as it was written before: three rarest bytes outside common runs, by a closure. */
function referenceShare(s: string, fold: boolean): number {
  if (s === "") return 1;
  const anchored = s.startsWith("\n");
  const text = anchored ? s.slice(1) : s;
  const common = referenceRuns(text);
  let [first, second, third, count] = [1, 1, 1, 0];
  const take = (f: number): void => {
    count++;
    if (f < first) [first, second, third] = [f, first, second];
    else if (f < second) [second, third] = [f, second];
    else if (f < third) third = f;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (common[i] || code === 0x0a) continue;
    if (code < 0x80) take(byteFrequency(code, fold));
    else {
      const cp = text.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const byte of Buffer.from(String.fromCodePoint(cp))) take(byteFrequency(byte, fold));
    }
  }
  if (count === 0) return 1;
  const rarest = 80 * first * Math.sqrt(second) * Math.sqrt(Math.sqrt(third));
  return Math.min(1, Math.min(1, rarest * 0.7 ** Math.max(0, count - 4) * (anchored ? 0.2 : 1)));
}

/** Pieces of the words (cut anywhere, case changed) and stray characters: ASCII, ones whose lower case is ASCII
 * (K) or longer (İ), a surrogate pair, a lone surrogate, newlines. */
const piece = fc.oneof(
  wordPiece,
  fc.string({ unit: fc.constantFrom("a", "Q", "/", " ", '"', "1", ".", "\n", "x", "(", "z", "~"), maxLength: 4 }),
  fc.constantFrom("İ", "\u212a", "é", "😀", "\ud800", "HTTP", "gEcKo", "\u017f"),
);
const literal = fc
  .tuple(fc.boolean(), fc.array(piece, { maxLength: 8 }))
  .map(([at, ps]) => (at ? "\n" : "") + ps.join(""));

describe("share of one literal", () => {
  it("is the plain estimate's number exactly, case kept and folded", () => {
    fc.assert(
      fc.property(literal, fc.boolean(), (s, fold) => {
        expect(Object.is(share([s], fold), referenceShare(s, fold))).toBe(true);
      }),
      { numRuns: 6000, seed: 1610 },
    );
  });

  it("is the same for common shapes, and where a run starts one character after another one (found by search)", () => {
    const shapes = [
      '" 500 152 "',
      "\n4.28.0",
      "Googlebot",
      "/wp-admin/x HTTP/1.1",
      "MOZILLA/5.0 (X11",
      "\n",
      "k\u212aeep",
    ];
    const nextStarts = [" intox/", "CINTE/", '00000" ', " macit/", "x maci/ y"];
    for (const s of [...shapes, ...nextStarts])
      for (const fold of [false, true]) expect(share([s], fold)).toBe(referenceShare(s, fold));
  });
});
