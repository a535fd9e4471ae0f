// How often each byte occurs in typical log text (access logs, syslog, application logs): a static estimate
// used to pick the rarest literal a line must contain and the rarest bytes to search a literal by.

const LOWER: Record<string, number> = {
  e: 0.05,
  t: 0.04,
  a: 0.035,
  o: 0.035,
  i: 0.03,
  n: 0.03,
  s: 0.03,
  r: 0.028,
  l: 0.02,
  c: 0.018,
  d: 0.018,
  h: 0.016,
  p: 0.015,
  u: 0.013,
  m: 0.012,
  g: 0.01,
  f: 0.009,
  b: 0.008,
  w: 0.008,
  y: 0.007,
  k: 0.004,
  v: 0.004,
  x: 0.002,
  j: 0.001,
  q: 0.0006,
  z: 0.0005,
};
const PUNCTUATION: Record<string, number> = {
  " ": 0.14,
  ".": 0.03,
  ":": 0.025,
  "/": 0.025,
  "-": 0.02,
  '"': 0.015,
  ",": 0.006,
  ";": 0.005,
  "=": 0.005,
  "(": 0.004,
  ")": 0.004,
  "[": 0.003,
  "]": 0.003,
  _: 0.003,
  "+": 0.002,
  "?": 0.001,
  "&": 0.001,
  "%": 0.001,
};
/** Capitals of HTTP methods, protocol names and browser agents: more frequent than the others. */
const COMMON_UPPER = "TEGPHOSMACDILNRUWFBKVX";

function buildTable(): Float64Array {
  const table = new Float64Array(256).fill(0.0002);
  for (let b = 0x21; b < 0x7f; b++) table[b] = 0.0008;
  for (let d = 0; d <= 9; d++) table[0x30 + d] = d < 3 ? 0.035 : 0.025;
  for (const [ch, f] of Object.entries(LOWER)) table[ch.charCodeAt(0)] = f;
  for (const [ch, f] of Object.entries(PUNCTUATION)) table[ch.charCodeAt(0)] = f;
  for (let b = 0x41; b <= 0x5a; b++) table[b] = 0.002;
  for (const ch of COMMON_UPPER) table[ch.charCodeAt(0)] = 0.005;
  return table;
}

const TABLE = buildTable();

/** Estimated share of the bytes of log text that equal `byte` (or, folded, equal it in either ASCII case). */
export function byteFrequency(byte: number, fold = false): number {
  const f = TABLE[byte] ?? 0;
  if (!fold) return f;
  if (byte >= 0x41 && byte <= 0x5a) return f + (TABLE[byte | 0x20] ?? 0);
  if (byte >= 0x61 && byte <= 0x7a) return f + (TABLE[byte & ~0x20] ?? 0);
  return f;
}

/** byteFrequency of every byte, case kept and folded: a lookup for callers scoring many strings. */
export const BYTE_FREQUENCY = Float64Array.from({ length: 256 }, (_, b) => byteFrequency(b));
export const FOLDED_BYTE_FREQUENCY = Float64Array.from({ length: 256 }, (_, b) => byteFrequency(b, true));

/**
 * Words in nearly every line of common logs (HTTP access logs, browser agents, syslog levels): a literal inside
 * one of them (ignoring case) is no rarer than the word, whatever its bytes say.
 */
const COMMON_WORDS = [
  ' HTTP/1.1" ',
  ' HTTP/1.0" ',
  ' HTTP/2.0" ',
  '"GET /',
  '"POST /',
  "Mozilla/5.0 (",
  "(KHTML, like Gecko)",
  "AppleWebKit/",
  "Windows NT",
  "Macintosh; Intel Mac OS X",
  "Linux x86_64",
  "Chrome/",
  "Safari/",
  "Firefox/",
  "+0000] ",
  "https://www.",
  "INFO ",
  "DEBUG ",
  "localhost",
].map((w) => w.toLowerCase());

/** Shortest run of a common word that counts as that word. */
const MIN_RUN = 4;

/** A place in a common word where a run of MIN_RUN characters starts. */
interface RunStart {
  word: string;
  at: number;
}

/**
 * Every run of MIN_RUN characters of the common words, with where it starts, keyed by its characters packed 7 bits
 * each (the words are ASCII): built at the first use (a start whose rules are all plain text never needs it), a
 * few hundred entries. A number key needs no string per position looked up.
 */
let runStarts: Map<number, RunStart[]> | undefined;

function indexRunStarts(): Map<number, RunStart[]> {
  const index = new Map<number, RunStart[]>();
  for (const word of COMMON_WORDS)
    for (let at = 0; at + MIN_RUN <= word.length; at++) {
      let key = 0;
      for (let i = at; i < at + MIN_RUN; i++) key = (key << 7) | word.charCodeAt(i);
      const places = index.get(key);
      if (places) places.push({ word, at });
      else index.set(key, [{ word, at }]);
    }
  return index;
}

/**
 * Which characters of the text belong to a run (of MIN_RUN or more, ignoring case) of a word nearly every log
 * line has: they say little about how rare the text is. At each position the longest such run is covered, found
 * by extending each place its first MIN_RUN characters occur in a common word.
 */
export function commonRuns(text: string): boolean[] {
  const covered = new Array<boolean>(text.length).fill(false);
  const runs = commonRunMask(text);
  if (runs) for (let i = 0; i < text.length; i++) covered[i] = runs[i] === 1;
  return covered;
}

/**
 * commonRuns as a mask (1: covered), or undefined when nothing is: most literals hold no common word, and this
 * runs for each of thousands of them at a start, in code not yet optimised (no call or allocation per character).
 */
export function commonRunMask(text: string): Uint8Array | undefined {
  const index = (runStarts ??= indexRunStarts());
  // Lower-casing a non-ASCII character can give ASCII (K, the Kelvin sign) or change the length (İ): the text
  // is then read through toLowerCase as a whole; ASCII text is folded unit by unit (A-Z), with the same result.
  if (NON_ASCII.test(text)) return coverLowered(text, index);
  // Where a run may start is found by a regex of every run's first MIN_RUN characters (native code, no step per
  // character here), tried again one character on from each place it finds.
  const starts = (runStart ??= runStartRegex(index));
  let covered: Uint8Array | undefined;
  starts.lastIndex = 0;
  while (starts.test(text)) {
    const at = starts.lastIndex - MIN_RUN;
    starts.lastIndex = at + 1;
    let longest = MIN_RUN;
    const places = index.get(packedKey(text, at)) as RunStart[]; // the regex found one of its keys
    for (let p = 0; p < places.length; p++) {
      const place = places[p] as RunStart;
      let length = MIN_RUN;
      for (; at + length < text.length && place.at + length < place.word.length; length++) {
        let next = text.charCodeAt(at + length);
        if (next >= 0x41 && next <= 0x5a) next |= 0x20;
        if (next !== place.word.charCodeAt(place.at + length)) break;
      }
      if (length > longest) longest = length;
    }
    (covered ??= new Uint8Array(text.length)).fill(1, at, at + longest);
  }
  return covered;
}

/** The MIN_RUN characters of ASCII text at `at`, lower case, packed as runStarts' keys are. */
function packedKey(text: string, at: number): number {
  let key = 0;
  for (let i = at; i < at + MIN_RUN; i++) {
    const unit = text.charCodeAt(i);
    key = (key << 7) | (unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit);
  }
  return key;
}

let runStart: RegExp | undefined;
const NON_ASCII = /[^\0-\x7f]/;

/** A regex finding any run start of the index, ignoring ASCII case (every character written as an escape). */
function runStartRegex(index: Map<number, RunStart[]>): RegExp {
  const runs: string[] = [];
  for (const places of index.values()) {
    const { word, at } = places[0] as RunStart;
    let run = "";
    for (let i = at; i < at + MIN_RUN; i++) run += `\\x${word.charCodeAt(i).toString(16).padStart(2, "0")}`;
    runs.push(run);
  }
  return new RegExp(runs.join("|"), "gi");
}

/** commonRunMask for text with non-ASCII characters: positions in its lower-case form, as they always were. */
function coverLowered(text: string, index: Map<number, RunStart[]>): Uint8Array | undefined {
  const lower = text.toLowerCase();
  let covered: Uint8Array | undefined;
  for (let at = 0; at + MIN_RUN <= lower.length; at++) {
    let key = 0;
    for (let i = at; i < at + MIN_RUN && key >= 0; i++) {
      const unit = lower.charCodeAt(i);
      key = unit < 0x80 ? (key << 7) | unit : -1; // a word is ASCII: no run here
    }
    const places = key < 0 ? undefined : index.get(key);
    if (!places) continue;
    let longest = MIN_RUN;
    for (const place of places) {
      let length = MIN_RUN;
      while (
        at + length < lower.length &&
        place.at + length < place.word.length &&
        lower.charCodeAt(at + length) === place.word.charCodeAt(place.at + length)
      )
        length++;
      if (length > longest) longest = length;
    }
    // Positions past the text's own length (its lower case is longer) are not kept, as before.
    (covered ??= new Uint8Array(text.length)).fill(1, at, at + longest);
  }
  return covered;
}
