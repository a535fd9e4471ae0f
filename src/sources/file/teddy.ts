// A few needles found in one SIMD pass (Teddy, as in Hyperscan): each needle is known by a window of its rarest
// bytes, needles share 8 buckets, and the kernel compares a candidate's needles whole (teddy in scan.wat).
import { KERNEL_TEDDY_BYTES, type KernelTeddy, type ScanKernel, TEDDY_GAVE_UP } from "./kernel/kernel.js";
import type { Needle } from "./needle.js";
import { chooseWindows, WINDOW, type Windowed } from "./teddy-windows.js";

const NEWLINE = 0x0a;
const BUCKETS = 8;
/** Where the layout of scan.wat's teddy puts each part of the tables. */
const MASKS_BYTES = WINDOW * 32;
const BUCKETS_AT = MASKS_BYTES + 16;
const RECORDS_AT = BUCKETS_AT + BUCKETS * 8;
const RECORD_BYTES = 16;
/** Bytes of text the windows are chosen on: a region's first ones, until a region this long comes. */
const SAMPLE_BYTES = 256 * 1024;
/**
 * Candidate comparisons a region may take per byte before Teddy gives way to the multi-needle search (NeedleSet,
 * whose cost barely depends on the text): the budget was set against the byte-at-a-time DFA that search was then
 * (a comparison costs about 8 of its bytes); the window filter now in its place is no slower on sets this small.
 */
const BUDGET: TeddyBudget = { perByte: 1 / 16, least: 4096 };
/** Regions left to NeedleSet after Teddy gave up on one, before trying it again. */
const DFA_REGIONS = 64;

const isLower = (byte: number): boolean => byte >= 0x61 && byte <= 0x7a;
const isLetter = (byte: number): boolean => (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a;

/** Comparisons of candidates a region may take: perByte for each of its bytes, and at least `least`. */
export interface TeddyBudget {
  perByte: number;
  least: number;
}

/**
 * The Teddy search of a needle list. Needles must lie within a line: a newline only as the first byte (a needle
 * anchored at a line start), and not a needle that is only a newline.
 */
export class TeddySet implements KernelTeddy {
  /** Built from the first region searched, and again from a larger one while the sample is short. */
  tables: Buffer = Buffer.alloc(0);
  private sampled = -1;
  private dfaRegions = 0;
  private readonly needles: readonly Needle[];
  /** The needles anchored at a line start: the kernel cannot see the newline before a region's first line. */
  private readonly anchored: readonly Needle[];

  constructor(
    needles: readonly Needle[],
    private readonly budget = BUDGET,
  ) {
    for (const n of needles)
      if (n.bytes.length === 0 || n.bytes.indexOf(NEWLINE, 1) >= 0 || (n.bytes.length === 1 && n.bytes[0] === NEWLINE))
        throw new RangeError("a Teddy needle lies within a line");
    this.anchored = needles.filter((n) => n.bytes[0] === NEWLINE);
    this.needles = needles;
  }

  /** Whether the kernel can hold the tables of these needles. */
  static fits(needles: readonly Needle[]): boolean {
    const bytes = needles.reduce((sum, n) => sum + RECORD_BYTES + 2 * n.bytes.length, RECORDS_AT);
    return bytes <= KERNEL_TEDDY_BYTES;
  }

  /** Whether to search the next region with Teddy (false for a while after it gave up on too many candidates). */
  startRegion(): boolean {
    if (this.dfaRegions === 0) return true;
    this.dfaRegions--;
    return false;
  }

  /**
   * Append to starts/ends the lines of chunk[from, end) (whole lines, a newline at end - 1, loaded in the kernel)
   * holding a needle. After a hit the rest of its line is skipped. Returns end, or where the lines are still to be
   * searched (a line start or the newline before one) when there were too many false candidates.
   */
  collect(chunk: Buffer, from: number, end: number, starts: number[], ends: number[], kernel: ScanKernel): number {
    const sample = Math.min(end - from, SAMPLE_BYTES);
    if (sample > this.sampled * 2 && this.sampled < SAMPLE_BYTES) {
      this.tables = layout(bucketsOf(chooseWindows(this.needles, chunk.subarray(from, from + sample))));
      this.sampled = sample;
    }
    kernel.teddyBudget = Math.max(this.budget.least, Math.ceil((end - from) * this.budget.perByte));
    let at = from;
    if (this.anchored.some((n) => startsLine(chunk, from, end, n))) {
      at = chunk.indexOf(NEWLINE, from);
      starts.push(from);
      ends.push(at);
    }
    while (at < end) {
      const hit = kernel.runTeddy(this, at, end);
      if (hit === TEDDY_GAVE_UP) {
        this.dfaRegions = DFA_REGIONS;
        return at;
      }
      if (hit < 0) return end;
      // lastIndexOf with a negative offset counts from the end of the buffer, so never search before index 0.
      const before = hit > from ? chunk.lastIndexOf(NEWLINE, hit - 1) : -1;
      const lineEnd = chunk.indexOf(NEWLINE, hit);
      starts.push(Math.max(from, before + 1));
      ends.push(lineEnd);
      // Resume at the newline: an anchored needle of the next line starts with it.
      at = lineEnd > at ? lineEnd : lineEnd + 1;
    }
    return end;
  }
}

/** An anchored needle (its bytes after the newline) at the start of chunk[from, end). */
export function startsLine(chunk: Buffer, from: number, end: number, needle: Needle): boolean {
  const n = needle.bytes.length - 1;
  if (from + n > end) return false;
  for (let i = 0; i < n; i++) {
    const byte = chunk[from + i] as number;
    const want = needle.bytes[i + 1] as number;
    if (byte !== want && !(needle.fold && isLetter(byte) && (byte | 0x20) === want)) return false;
  }
  return true;
}

/** Needles in at most BUCKETS buckets: alike windows together (their masks then admit fewer other bytes). */
function bucketsOf(windows: Windowed[]): Windowed[][] {
  if (windows.length <= BUCKETS) return windows.map((w) => [w]);
  const key = (w: Windowed): string => {
    const bytes = [...w.needle.bytes.subarray(w.at, w.at + w.length)];
    return `${w.length}:${bytes.map((b) => String.fromCharCode(b | (w.needle.fold ? 0x20 : 0))).join("")}`;
  };
  const sorted = [...windows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const buckets: Windowed[][] = [];
  for (let b = 0; b < BUCKETS; b++)
    buckets.push(
      sorted.slice(Math.floor((b * sorted.length) / BUCKETS), Math.floor(((b + 1) * sorted.length) / BUCKETS)),
    );
  return buckets;
}

/** The tables as scan.wat's teddy reads them. */
function layout(buckets: Windowed[][]): Buffer {
  const count = buckets.reduce((sum, b) => sum + b.length, 0);
  const bytesAt = RECORDS_AT + count * RECORD_BYTES;
  const size = buckets.flat().reduce((sum, w) => sum + 2 * w.needle.bytes.length, bytesAt);
  const tables = Buffer.alloc(size);
  let record = RECORDS_AT;
  let bytes = bytesAt;
  buckets.forEach((bucket, b) => {
    tables.writeInt32LE(record, BUCKETS_AT + b * 8);
    tables.writeInt32LE(bucket.length, BUCKETS_AT + b * 8 + 4);
    for (const w of bucket) {
      markWindow(tables, w, 1 << b);
      const { needle } = w;
      tables.writeInt32LE(w.at + w.length - 1, record);
      tables.writeInt32LE(bytes, record + 4);
      tables.writeInt32LE(needle.bytes.length, record + 8);
      tables.writeInt32LE(needle.bytes[0] === NEWLINE ? 2 : 0, record + 12);
      needle.bytes.copy(tables, bytes);
      // The case mask: a text byte OR it equals a folded needle's lower-case letter in either case.
      const n = needle.bytes.length;
      if (needle.fold) for (let i = 0; i < n; i++) tables[bytes + n + i] = isLower(needle.bytes[i] as number) ? 32 : 0;
      record += RECORD_BYTES;
      bytes += 2 * n;
    }
  });
  return tables;
}

/** Set the bucket's bit in the nibble masks for each window position (every nibble where the window is short). */
function markWindow(tables: Buffer, w: Windowed, bit: number): void {
  const skip = WINDOW - w.length;
  for (let k = 0; k < WINDOW; k++) {
    const at = k * 32;
    if (k < skip) {
      for (let i = 0; i < 32; i++) tables[at + i] = (tables[at + i] as number) | bit;
      continue;
    }
    const byte = w.needle.bytes[w.at + k - skip] as number;
    const cases = w.needle.fold && isLetter(byte) ? [byte | 0x20, byte & ~0x20] : [byte];
    for (const c of cases) {
      tables[at + (c & 15)] = (tables[at + (c & 15)] as number) | bit;
      tables[at + 16 + (c >> 4)] = (tables[at + 16 + (c >> 4)] as number) | bit;
    }
  }
}
