// A filter for many needles at once: each needle's rarest 4-byte window (2-byte for short needles) marked in
// hashed tables, one independent lookup per text position (no per-byte folding: windows are read OR 0x20 per
// byte), and every candidate verified against the needles of its exact window.
import { byteFrequency } from "../../core/byte-frequency.js";
import { foldUnit } from "../../core/literals.js";
import type { KernelWindowFilter } from "./kernel/kernel.js";

const NEWLINE = 0x0a;
/** Hash multipliers of the byte table and of the second-level bit table (the kernel uses the same). */
const MUL_TABLE = 0x9e3779b1;
const MUL_BITS = 0x85ebca77;
const LOWER_ALL = 0x20202020;
const LOWER_PAIR = 0x2020;
const PAIR_SLOTS = 1 << 16;

/** A needle as the filter verifies it: bytes (lower case when fold) and where its marked window starts. */
interface Entry {
  readonly bytes: Buffer;
  readonly fold: boolean;
  readonly at: number;
}

/** What a needle is made of here: its bytes and whether ASCII case is ignored. */
export interface WindowNeedle {
  readonly bytes: Buffer;
  readonly fold: boolean;
}

export class WindowFilter implements KernelWindowFilter {
  readonly table: Uint8Array;
  readonly shift: number;
  readonly bits: Uint8Array;
  readonly bitsShift: number;
  readonly pairs: Uint8Array | null;
  /** A needle found in every line ("\n" alone: a line start; or empty). */
  readonly everyLine: boolean;
  /** Needles anchored at a line start: also tried at the region's start, which has no newline before it. */
  private readonly anchored: Entry[] = [];
  private readonly byWindow = new Map<number, Entry[]>();
  private readonly byPair = new Map<number, Entry[]>();
  private readonly bySingle = new Map<number, Entry[]>();

  constructor(needles: readonly WindowNeedle[]) {
    const usable = needles.map(normalized).filter((n): n is WindowNeedle => n !== undefined);
    this.everyLine = usable.some((n) => n.bytes.length === 0 || (n.bytes.length === 1 && n.bytes[0] === NEWLINE));
    const long = usable.filter((n) => n.bytes.length >= 4).length;
    const tableBits = Math.min(17, Math.max(10, Math.ceil(Math.log2(long * 32 + 1))));
    const bitBits = Math.min(20, Math.max(13, Math.ceil(Math.log2(long * 256 + 1))));
    this.table = new Uint8Array(1 << tableBits);
    this.shift = 32 - tableBits;
    this.bits = new Uint8Array(1 << (bitBits - 3));
    this.bitsShift = 32 - bitBits;
    this.pairs = usable.some((n) => n.bytes.length < 4) ? new Uint8Array(PAIR_SLOTS) : null;
    if (!this.everyLine) for (const needle of usable) this.add(needle);
  }

  private add(needle: WindowNeedle): void {
    const { bytes, fold } = needle;
    const width = bytes.length >= 4 ? 4 : Math.min(2, bytes.length);
    const entry: Entry = { bytes, fold, at: rarestWindow(bytes, width, fold) };
    if (bytes[0] === NEWLINE) this.anchored.push(entry);
    const key = windowAt(bytes, entry.at, width);
    if (width === 4) {
      this.table[Math.imul(key, MUL_TABLE) >>> this.shift] = 1;
      const h = Math.imul(key, MUL_BITS) >>> this.bitsShift;
      (this.bits[h >>> 3] as number) |= 1 << (h & 7);
      push(this.byWindow, key, entry);
    } else if (width === 2) {
      (this.pairs as Uint8Array)[key] = 1;
      push(this.byPair, key, entry);
    } else {
      for (let next = 0; next < 256; next++) (this.pairs as Uint8Array)[key | (next << 8) | LOWER_PAIR] = 1;
      push(this.bySingle, key | 0x20, entry);
    }
  }

  /** The first position in chunk[from, end) passing the filter, or -1 (the kernel's window_filter, in JS). */
  next(chunk: Buffer, from: number, end: number): number {
    const { table, shift, bits, bitsShift, pairs } = this;
    let x = (byte(chunk, from) | (byte(chunk, from + 1) << 8) | (byte(chunk, from + 2) << 16)) << 8;
    for (let p = from; p < end; p++) {
      x = (x >>> 8) | (byte(chunk, p + 3) << 24);
      const w = x | LOWER_ALL;
      if (pairs && pairs[w & 0xffff] !== 0) return p;
      if (table[Math.imul(w, MUL_TABLE) >>> shift] === 0) continue;
      const h = Math.imul(w, MUL_BITS) >>> bitsShift;
      if ((((bits[h >>> 3] as number) >>> (h & 7)) & 1) !== 0) return p;
    }
    return -1;
  }

  /**
   * Where the needle occurrence holding a window at p ends (its last byte), or -1: the occurrence lies in
   * chunk[from - 1, end), the byte before `from` read as a newline (the region starts a line).
   */
  match(chunk: Buffer, p: number, from: number, end: number): number {
    if (p + 4 <= end) {
      const key = (chunk.readUInt32LE(p) | LOWER_ALL) >>> 0;
      const hit = this.verify(this.byWindow.get(key), chunk, p, from, end);
      if (hit >= 0) return hit;
    }
    if (p + 2 <= end) {
      const hit = this.verify(this.byPair.get(chunk.readUInt16LE(p) | LOWER_PAIR), chunk, p, from, end);
      if (hit >= 0) return hit;
    }
    return this.verify(this.bySingle.get((chunk[p] as number) | 0x20), chunk, p, from, end);
  }

  /** Where an anchored needle at the region's first line start ends, or -1. */
  matchFirstLine(chunk: Buffer, from: number, end: number): number {
    for (const entry of this.anchored) if (occurs(entry, chunk, from - 1, from, end)) return from + entry.bytes.length - 2;
    return -1;
  }

  private verify(entries: Entry[] | undefined, chunk: Buffer, p: number, from: number, end: number): number {
    if (!entries) return -1;
    for (const entry of entries) {
      const start = p - entry.at;
      if (occurs(entry, chunk, start, from, end)) return start + entry.bytes.length - 1;
    }
    return -1;
  }
}

/**
 * The needle as lines are searched for it, or undefined when no line can hold it: a newline only leads (a line
 * start), since a line's bytes hold none; folded bytes in lower case.
 */
function normalized(needle: WindowNeedle): WindowNeedle | undefined {
  if (needle.bytes.indexOf(NEWLINE, 1) >= 0) return undefined;
  return needle.fold ? { bytes: Buffer.from(needle.bytes.map(foldUnit)), fold: true } : needle;
}

/** The needle at chunk[start] (start = from - 1 reads a newline there). */
function occurs(entry: Entry, chunk: Buffer, start: number, from: number, end: number): boolean {
  const { bytes, fold } = entry;
  const n = bytes.length;
  if (start + n > end || start < from - 1) return false;
  let i = 0;
  if (start === from - 1) {
    if (bytes[0] !== NEWLINE) return false;
    i = 1;
  }
  for (; i < n; i++) {
    const c = chunk[start + i] as number;
    if ((fold ? foldUnit(c) : c) !== bytes[i]) return false;
  }
  return true;
}

/** Where the needle's least likely window of `width` bytes starts (by the static byte frequencies). */
function rarestWindow(bytes: Buffer, width: number, fold: boolean): number {
  let best = 0;
  let bestScore = Infinity;
  for (let at = 0; at + width <= bytes.length; at++) {
    let score = 0;
    for (let i = at; i < at + width; i++) score += Math.log(Math.max(1e-4, byteFrequency(bytes[i] as number, fold)));
    if (score < bestScore) {
      best = at;
      bestScore = score;
    }
  }
  return best;
}

/** The window's bytes little-endian (as the kernel loads them), each OR 0x20. */
function windowAt(bytes: Buffer, at: number, width: number): number {
  if (width === 4) return (bytes.readUInt32LE(at) | LOWER_ALL) >>> 0;
  if (width === 2) return bytes.readUInt16LE(at) | LOWER_PAIR;
  return bytes[at] as number;
}

function byte(chunk: Buffer, at: number): number {
  return chunk[at] ?? 0;
}

function push(map: Map<number, Entry[]>, key: number, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}
