// The plain definition of byte-frequency.ts's common-word runs, for the tests that check faster forms against it.
import fc from "fast-check";

/** The words of byte-frequency.ts (lower case), as the reference knows them. */
export const WORDS = [
  ' HTTP/1.1" ', ' HTTP/1.0" ', ' HTTP/2.0" ', '"GET /', '"POST /', "Mozilla/5.0 (", "(KHTML, like Gecko)",
  "AppleWebKit/", "Windows NT", "Macintosh; Intel Mac OS X", "Linux x86_64", "Chrome/", "Safari/", "Firefox/",
  "+0000] ", "https://www.", "INFO ", "DEBUG ", "localhost",
].map((w) => w.toLowerCase()); // prettier-ignore

/** Every run of 4+ characters of a common word, the longest at each position of the lower-cased text. */
export function referenceRuns(text: string): boolean[] {
  const lower = text.toLowerCase();
  const covered = new Array<boolean>(text.length).fill(false);
  for (let at = 0; at + 4 <= lower.length; at++)
    for (let length = lower.length - at; length >= 4; length--)
      if (WORDS.some((w) => w.includes(lower.slice(at, at + length)))) {
        covered.fill(true, at, at + length);
        break;
      }
  return covered;
}

/** A piece of one of the words, cut anywhere and maybe upper-cased, so that runs meet and overlap. */
export const wordPiece = fc
  .tuple(fc.constantFrom(...WORDS), fc.nat(), fc.nat(), fc.boolean())
  .map(([word, a, b, upper]) => {
    const cut = word.slice(a % word.length, (a % word.length) + 1 + (b % word.length));
    return upper ? cut.toUpperCase() : cut;
  });
