// A filter for many needles at once: each needle's rarest 4-byte window (2-byte for short needles) marked in
// hashed tables, one independent lookup per text position (no per-byte folding: windows are read OR 0x20 per
// byte), and every candidate verified against the needles of its exact window.
import { foldUnit } from "../../core/literals.js";
import type { KernelWindowFilter } from "./kernel/kernel.js";
import { bestStride, longestStride, placement, WindowCounts } from "./window-choice.js";
import {
  bitHash,
  contextAt,
  LOWER_ALL,
  LOWER_PAIR,
  MUL_TABLE,
  PAIR_SLOTS,
  tail,
  windowAt,
  withOffset,
  word,
} from "./window-hash.js";

const NEWLINE = 0x0a;
/** A byte-table mark: a needle shorter than 8 bytes has its window here (the bit table tests the window alone). */
const WINDOW_ONLY = 32;

/** A needle as the filter verifies it: bytes (lower case when fold) and where its marked window starts. */
export interface Entry {
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
  /** The long-window needles per byte-table slot for the kernel to verify (see $wf_bucket in scan.wat). */
  readonly needleTable: Uint8Array | null;
  /** Only every stride-th position is tested: each needle marks `stride` successive windows. */
  readonly stride: number;
  /** How far before its window a needle's 8 tested bytes may start (in JS; the kernel reads the byte-table marks). */
  back = 0;
  /** A needle found in every line ("\n" alone: a line start; or empty). */
  readonly everyLine: boolean;
  /** Needles anchored at a line start: also tried at the region's start, which has no newline before it. */
  private readonly anchored: Entry[] = [];
  /** Needles by their window (shorter than 8 bytes), and by the hash of the 8 bytes around their window. */
  private readonly byWindow = new Map<number, Entry[]>();
  private readonly byEight = new Map<number, Entry[]>();
  private readonly byPair = new Map<number, Entry[]>();
  private readonly bySingle = new Map<number, Entry[]>();
  private readonly bySlot = new Map<number, Entry[]>();

  /**
   * `sample`: text like the text to search, whose window counts pick each needle's windows (rarest there) and
   * the stride; `stride` (tests) sets the longest stride the needles allow instead; `counts`: the sample's, when
   * the caller has them.
   */
  constructor(
    needles: readonly WindowNeedle[],
    sample: Buffer = Buffer.alloc(0),
    stride?: number,
    counts = new WindowCounts(sample),
  ) {
    const usable = distinct(needles);
    this.everyLine = usable.some((n) => n.bytes.length === 0 || (n.bytes.length === 1 && n.bytes[0] === NEWLINE));
    this.stride =
      stride === undefined ? bestStride(usable, counts, sample.length) : Math.min(stride, longestStride(usable));
    const long = usable.filter((n) => n.bytes.length >= 4).length * this.stride;
    const tableBits = Math.min(17, Math.max(10, Math.ceil(Math.log2(long * 256 + 1))));
    const bitBits = Math.min(20, Math.max(13, Math.ceil(Math.log2(long * 256 + 1))));
    this.table = new Uint8Array(1 << tableBits);
    this.shift = 32 - tableBits;
    this.bits = new Uint8Array(1 << (bitBits - 3));
    this.bitsShift = 32 - bitBits;
    this.pairs = usable.some((n) => n.bytes.length < 4) ? new Uint8Array(PAIR_SLOTS) : null;
    if (!this.everyLine) for (const needle of usable) this.add(needle, counts);
    this.needleTable = this.bySlot.size > 0 ? needleTable(this.bySlot, this.table.length) : null;
  }

  private add(needle: WindowNeedle, counts: WindowCounts): void {
    const { bytes, fold } = needle;
    const { at: first, width, run, reach } = placement(needle, this.stride, counts);
    if (bytes[0] === NEWLINE) this.anchored.push({ bytes, fold, at: first });
    for (let at = first; at < first + run; at++) this.mark({ bytes, fold, at }, width, reach);
    if (reach === 8) this.back = Math.max(this.back, first + run - 1 - contextAt(bytes, first + run - 1));
  }

  /** Mark the window at entry.at of its needle. */
  private mark(entry: Entry, width: number, reach: number): void {
    const key = windowAt(entry.bytes, entry.at, width);
    if (width === 4) {
      const slot = Math.imul(key, MUL_TABLE) >>> this.shift;
      const context = contextAt(entry.bytes, entry.at);
      // Which bit-table hashes the kernel tests for this slot (see $long in scan.wat): bit 5 the window alone,
      // bit d the 8 bytes from d bytes before it.
      (this.table[slot] as number) |= reach === 8 ? 1 << (entry.at - context) : WINDOW_ONLY;
      push(this.bySlot, slot, entry);
      const eight =
        reach === 8
          ? withOffset(
              bitHash(windowAt(entry.bytes, context, 4), windowAt(entry.bytes, context + 4, 4)),
              entry.at - context,
            )
          : 0;
      const h = (reach === 8 ? eight : bitHash(key, undefined)) >>> this.bitsShift;
      (this.bits[h >>> 3] as number) |= 1 << (h & 7);
      if (reach !== 8) push(this.byWindow, key, entry);
      else push(this.byEight, eight, entry);
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
    const { table, shift, bits, bitsShift, pairs, stride } = this;
    for (let p = from; p < end; p += stride) {
      const w = (p + 4 <= chunk.length ? chunk.readUInt32LE(p) : tail(chunk, p)) | LOWER_ALL;
      if (pairs && pairs[w & 0xffff] !== 0) return p;
      if (table[Math.imul(w, MUL_TABLE) >>> shift] === 0) continue;
      const h = bitHash(w, undefined) >>> bitsShift;
      if ((((bits[h >>> 3] as number) >>> (h & 7)) & 1) !== 0) return p;
      for (let d = 0; d <= this.back && d <= p; d++) {
        const h8 = withOffset(bitHash(word(chunk, p - d), word(chunk, p - d + 4)), d) >>> bitsShift;
        if ((((bits[h8 >>> 3] as number) >>> (h8 & 7)) & 1) !== 0) return p;
      }
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
    for (let d = 0; d <= this.back && d <= p; d++) {
      if (p - d + 8 > end) continue;
      const key = withOffset(bitHash(word(chunk, p - d), word(chunk, p - d + 4)), d);
      const hit = this.verify(this.byEight.get(key), chunk, p, from, end);
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
    for (const entry of this.anchored)
      if (occurs(entry, chunk, from - 1, from, end)) return from + entry.bytes.length - 2;
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

/** Slots per block of the needle table's rank index (a u32 bitmap and the marked slots before the block). */
const RANK_BLOCK = 32;
/** Bytes per bucket entry: at, length, needle offset, the needle's last 4 bytes and their case mask. */
const ENTRY_BYTES = 20;

/**
 * The kernel's needle table (layout: $wf_bucket in scan.wat): a u32 offset of the bucket starts, a u32 unused,
 * then per block of 32 slots a u32 bitmap of its marked slots and a u32 count of marked slots before it (so a
 * slot's bucket is found by a popcount, in a few KiB instead of a u32 per slot); the bucket starts (a u32 per
 * marked slot and one past the last); the buckets (per entry: at, length, needle offset, and the needle's last 4
 * bytes with their case mask, so most misses are rejected without reading the needle; all ones for needles under
 * 4 bytes); each needle's bytes and case mask.
 */
export function needleTable(bySlot: ReadonlyMap<number, readonly Entry[]>, slots: number): Uint8Array {
  const needleAt = new Map<Buffer, Entry>();
  const blocks = Math.ceil(slots / RANK_BLOCK);
  const startsAt = 8 + 8 * blocks;
  let size = startsAt + 4 * (bySlot.size + 1);
  for (const entries of bySlot.values()) {
    size += ENTRY_BYTES * entries.length;
    for (const entry of entries) needleAt.set(entry.bytes, entry);
  }
  const table = new Uint8Array(size + [...needleAt.keys()].reduce((sum, bytes) => sum + 2 * bytes.length, 0));
  const view = new DataView(table.buffer);
  const offsets = new Map<Buffer, number>();
  for (const { bytes, fold } of needleAt.values()) {
    offsets.set(bytes, size);
    table.set(bytes, size);
    // A folded needle's letters are lower case: a text byte OR 0x20 equals one exactly when it is either case.
    if (fold)
      for (let i = 0; i < bytes.length; i++)
        if (isLowerLetter(bytes[i] as number)) table[size + bytes.length + i] = 0x20;
    size += 2 * bytes.length;
  }
  view.setUint32(0, startsAt, true);
  const marked = [...bySlot.keys()].sort((a, b) => a - b);
  let at = startsAt + 4 * (marked.length + 1);
  marked.forEach((slot, rank) => {
    const block = 8 + 8 * Math.floor(slot / RANK_BLOCK);
    if (view.getUint32(block, true) === 0) view.setUint32(block + 4, rank, true);
    view.setUint32(block, view.getUint32(block, true) | (1 << (slot % RANK_BLOCK)), true);
    view.setUint32(startsAt + 4 * rank, at, true);
    for (const entry of bySlot.get(slot) as readonly Entry[]) {
      const { bytes } = entry;
      const needle = offsets.get(bytes) as number;
      view.setInt32(at, entry.at, true);
      view.setUint32(at + 4, bytes.length, true);
      view.setUint32(at + 8, needle, true);
      if (bytes.length >= 4) {
        table.copyWithin(at + 12, needle + bytes.length - 4, needle + bytes.length);
        table.copyWithin(at + 16, needle + 2 * bytes.length - 4, needle + 2 * bytes.length);
      } else view.setBigUint64(at + 12, 0xffffffffffffffffn); // under 4 bytes (line starts): any word passes
      at += ENTRY_BYTES;
    }
  });
  view.setUint32(startsAt + 4 * marked.length, at, true);
  return table;
}

function isLowerLetter(byte: number): boolean {
  return byte >= 0x61 && byte <= 0x7a;
}

/** The needles as lines are searched for them (see normalized), each once. */
export function distinct(needles: readonly WindowNeedle[]): WindowNeedle[] {
  const seen = new Map<string, WindowNeedle>();
  for (const needle of needles) {
    const usable = normalized(needle);
    if (usable) seen.set(`${usable.fold ? "i" : "s"}${usable.bytes.toString("latin1")}`, usable);
  }
  return [...seen.values()];
}

/**
 * The needle as lines are searched for it, or undefined when no line can hold it: a newline only leads (a line
 * start), since a line's bytes hold none; folded bytes in lower case.
 */
function normalized(needle: WindowNeedle): WindowNeedle | undefined {
  if (needle.bytes.indexOf(NEWLINE, 1) >= 0) return undefined;
  // An already folded needle stays the same object: the sample's counts keep its placements by it.
  if (!needle.fold || needle.bytes.every((b) => foldUnit(b) === b)) return needle;
  return { bytes: Buffer.from(needle.bytes.map(foldUnit)), fold: true };
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

export function push(map: Map<number, Entry[]>, key: number, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}
