// Which bytes of each needle Teddy's masks test: the 3-byte window seen least often in a sample of the text.
import { byteFrequency } from "../../core/byte-frequency.js";
import { foldUnit } from "../../core/literals.js";
import type { Needle } from "./needle.js";

const NEWLINE = 0x0a;
/** Bytes of a needle the masks test (the kernel's window positions). */
export const WINDOW = 3;
const HASH_BITS = 16;
/** byteFrequency knows text, not lines: a newline is about one byte in a typical line's 100-200. */
const NEWLINE_SHARE = 0.006;

/** A needle and the window of it the masks test: `length` bytes from `at`. */
export interface Windowed {
  readonly needle: Needle;
  readonly at: number;
  readonly length: number;
}

/**
 * Each needle's window. Byte shares alone mislead (in an access log "HTT" is in every line though H, T and P are
 * rare bytes), so windows are counted in the sample, the shares only breaking ties; a window already taken by
 * other needles counts more, since each of its candidates is then compared with all of them.
 */
export function chooseWindows(needles: readonly Needle[], sample: Buffer): Windowed[] {
  const counts = { exact: trigrams(sample, false), folded: trigrams(sample, true) };
  const taken = new Map<number, number>();
  return needles.map((needle) => {
    const length = Math.min(WINDOW, needle.bytes.length);
    let best: Windowed = { needle, at: 0, length };
    let bestCost = Infinity;
    for (let at = 0; at + length <= needle.bytes.length; at++) {
      const key = length === WINDOW ? hash(needle.bytes, at, needle.fold) : -1;
      const seen = key < 0 ? 0 : ((needle.fold ? counts.folded : counts.exact)[key] as number);
      const cost = (seen + prior(needle, at, length) * sample.length) * (1 + (taken.get(key) ?? 0));
      if (cost < bestCost) {
        best = { needle, at, length };
        bestCost = cost;
      }
    }
    const key = length === WINDOW ? hash(needle.bytes, best.at, needle.fold) : -1;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    return best;
  });
}

/** The window's expected share of positions in log text, from its bytes' shares. */
function prior(needle: Needle, at: number, length: number): number {
  let product = 1;
  for (let i = at; i < at + length; i++) {
    const byte = needle.bytes[i] as number;
    product *= byte === NEWLINE ? NEWLINE_SHARE : byteFrequency(byte, needle.fold);
  }
  return product;
}

function hash(bytes: Buffer, at: number, fold: boolean): number {
  const unit = (i: number): number => (fold ? foldUnit(bytes[i] as number) : (bytes[i] as number));
  return trigramHash(unit(at), unit(at + 1), unit(at + 2));
}

const trigramHash = (a: number, b: number, c: number): number =>
  Math.imul((a << 16) | (b << 8) | c, 0x9e3779b1) >>> (32 - HASH_BITS);

/** How often each 3-byte window (hashed; ASCII case folded with `fold`) occurs in the sample. */
function trigrams(sample: Buffer, fold: boolean): Uint32Array {
  const counts = new Uint32Array(1 << HASH_BITS);
  let a = 0;
  let b = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = fold ? foldUnit(sample[i] as number) : (sample[i] as number);
    if (i >= 2) counts[trigramHash(a, b, c)] = (counts[trigramHash(a, b, c)] as number) + 1;
    a = b;
    b = c;
  }
  return counts;
}
