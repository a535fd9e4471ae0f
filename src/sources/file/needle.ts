// One literal searched for in raw chunks: memchr on its rarest byte while that byte proves rare, else indexOf.
import { byteFrequency } from "../../core/byte-frequency.js";
import type { Literal } from "../../core/literals.js";
/** What a needle is made from: a plain string is case-sensitive. */
export type NeedleLiteral = string | Literal;

/** How many times the rare byte may occur per KiB of a chunk before a plain substring search is cheaper. */
const RARE_PER_KIB = 1;
/** Chunks searched the plain way after the rare byte proved common, before trying it again. */
const PLAIN_CHUNKS = 64;

export class Needle {
  /** Its UTF-8 bytes: lower case when `fold`. */
  readonly bytes: Buffer;
  /** Found ignoring ASCII case: only by the kernel and the multi-needle search (find() compares exactly). */
  readonly fold: boolean;
  /** Its two rarest bytes' positions, ascending (the same one twice for a one-byte needle): the kernel's filter. */
  readonly pair: readonly [number, number];
  /** Where in the needle its (expected) rarest byte is, and that byte. */
  private readonly rareAt: number;
  private readonly rare: number;
  private plainChunks = 0;
  private budget = 0;

  /** A plain string is case-sensitive. */
  constructor(literal: NeedleLiteral) {
    this.fold = typeof literal !== "string" && literal.fold;
    this.bytes = Buffer.from(typeof literal === "string" ? literal : literal.text);
    this.rareAt = Math.max(0, rarestByte(this.bytes, this.fold));
    this.rare = this.bytes[this.rareAt] ?? 0;
    this.pair = rarestPair(this.bytes, this.rareAt, this.fold);
  }

  /** Call before searching a new chunk: sets how many rare-byte hits it may take before going plain. */
  startChunk(length: number): void {
    if (this.plainChunks > 0) this.plainChunks--;
    this.budget = Math.ceil((length / 1024) * RARE_PER_KIB);
  }

  /** Where the needle first starts at or after `from` in chunk[0, end), or -1. */
  find(chunk: Buffer, from: number, end: number): number {
    const n = this.bytes.length;
    if (n < 2 || this.plainChunks > 0) return this.plain(chunk, from, end);
    for (let at = from + this.rareAt; ; at++) {
      at = chunk.indexOf(this.rare, at);
      if (at < 0 || at - this.rareAt + n > end) return -1;
      const start = at - this.rareAt;
      if (chunk[start] === this.bytes[0] && chunk.compare(this.bytes, 0, n, start, start + n) === 0) return start;
      if (--this.budget <= 0) {
        this.plainChunks = PLAIN_CHUNKS;
        return this.plain(chunk, start + 1, end);
      }
    }
  }

  private plain(chunk: Buffer, from: number, end: number): number {
    const hit = chunk.indexOf(this.bytes, from);
    return hit >= 0 && hit + this.bytes.length <= end ? hit : -1;
  }
}

/** Index of the byte least likely in log text (the first of equally rare ones), other than `skip`. */
function rarestByte(bytes: Buffer, fold: boolean, skip = -1): number {
  let best = -1;
  let bestFrequency = Infinity;
  for (let i = 0; i < bytes.length; i++) {
    if (i === skip) continue;
    const frequency = byteFrequency(bytes[i] as number, fold);
    if (frequency < bestFrequency) {
      best = i;
      bestFrequency = frequency;
    }
  }
  return best;
}

/** The rarest byte's position and the next rarest one's, ascending. */
function rarestPair(bytes: Buffer, rarest: number, fold: boolean): [number, number] {
  const next = rarestByte(bytes, fold, rarest);
  if (next < 0) return [rarest, rarest];
  return rarest < next ? [rarest, next] : [next, rarest];
}

/** Needles for the pipeline's current literals, made again only when the literals change. */
export class NeedleCache {
  private cached: { literals: readonly NeedleLiteral[]; needles: Needle[] } | undefined;

  /** The needles for these literals; undefined when every line is wanted. */
  of(literals: readonly NeedleLiteral[] | undefined): Needle[] | undefined {
    if (!literals) return undefined;
    if (this.cached?.literals !== literals) this.cached = { literals, needles: literals.map((l) => new Needle(l)) };
    return this.cached.needles;
  }
}
