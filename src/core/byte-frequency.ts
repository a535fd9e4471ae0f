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

/**
 * Which characters of the text belong to a run (of MIN_RUN or more, ignoring case) of a word nearly every log
 * line has: they say little about how rare the text is.
 */
export function commonRuns(text: string): boolean[] {
  const covered = new Array<boolean>(text.length).fill(false);
  const runs = commonRunMask(text);
  if (runs) for (let i = 0; i < text.length; i++) covered[i] = runs[i] === 1;
  return covered;
}

/**
 * commonRuns as a mask (1: covered), or undefined when nothing is: most literals hold no common word, and this
 * runs for each of thousands of them at a start, in code not yet optimised. A run of a word is covered by the
 * MIN_RUN characters starting at each of its places (every one is a run of the word too), so marking every place
 * where some MIN_RUN characters of a word occur covers exactly the runs: a regex of them finds the places.
 */
export function commonRunMask(text: string): Uint8Array | undefined {
  const starts = (runStarts ??= runStartRegex());
  // Lower-casing a non-ASCII character can give ASCII (K, the Kelvin sign) or change the length (İ): such text is
  // read in its lower-case form, positions and all, as it always was; the regex ignores ASCII case by itself.
  const read = NON_ASCII.test(text) ? text.toLowerCase() : text;
  let covered: Uint8Array | undefined;
  starts.lastIndex = 0;
  while (starts.test(read)) {
    const at = starts.lastIndex - MIN_RUN;
    starts.lastIndex = at + 1; // places overlap
    (covered ??= new Uint8Array(text.length)).fill(1, at, at + MIN_RUN);
  }
  return covered;
}

let runStarts: RegExp | undefined;
const NON_ASCII = /[^\0-\x7f]/;

/**
 * A regex finding every MIN_RUN characters of a common word, ignoring ASCII case: every character written as an
 * escape, so a non-ASCII one never matches. Built at the first use (a start whose rules are all plain text never
 * needs it).
 */
function runStartRegex(): RegExp {
  const runs = new Set<string>();
  for (const word of COMMON_WORDS)
    for (let at = 0; at + MIN_RUN <= word.length; at++) {
      let run = "";
      for (let i = at; i < at + MIN_RUN; i++) run += `\\x${word.charCodeAt(i).toString(16).padStart(2, "0")}`;
      runs.add(run);
    }
  return new RegExp([...runs].join("|"), "gi");
}
