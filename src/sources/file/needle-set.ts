// Many needles found in one pass over raw bytes: a window filter (window-filter.ts) run by the SIMD kernel's
// scalar loop or here, each candidate verified on the bytes, so the cost of a chunk hardly grows with the rules.
import type { ScanKernel } from "./kernel/kernel.js";
import type { Needle } from "./needle.js";
import { WindowFilter } from "./window-filter.js";

const NEWLINE = 0x0a;
/** Bytes of the first chunk counted to choose the needles' windows. */
const SAMPLE = 256 * 1024;

export class NeedleSet {
  private filter: WindowFilter | undefined;
  /** Bytes of text the filter's windows were chosen on. */
  private sampled = 0;

  /** `stride` (tests): the filter's stride, instead of the one its first chunk suggests. */
  constructor(
    private readonly needles: readonly Needle[],
    private readonly stride?: number,
  ) {}

  /**
   * Append to starts/ends the lines of chunk[from, end) (whole lines, a newline at end - 1) holding a needle,
   * each line read with a newline before it (so a needle starting with one is anchored at a line start); a needle
   * with a newline elsewhere is in no line. After a hit the rest of its line is skipped.
   */
  collect(
    chunk: Buffer,
    from: number,
    end: number,
    starts: number[],
    ends: number[],
    kernel: ScanKernel | null = null,
  ): void {
    const filter = this.filterFor(chunk, from, end);
    if (filter.everyLine) return everyLine(chunk, from, end, starts, ends);
    const first = filter.matchFirstLine(chunk, from, end);
    // After a hit, resume at the newline ending its line: it may start an anchored needle's window.
    let p = first < 0 ? from : take(chunk, from, first, starts, ends);
    while (p < end) {
      // The kernel verifies long-window candidates itself: what it returns is then a hit's last byte.
      const candidate = kernel ? kernel.runWindowFilter(filter, p, end, from) : filter.next(chunk, p, end);
      if (candidate < 0) return;
      const hit = kernel?.windowVerified ? candidate : filter.match(chunk, candidate, from, end);
      p = hit < 0 ? candidate + 1 : take(chunk, from, hit, starts, ends);
    }
  }

  /**
   * The filter, its windows chosen by their counts in the text: made again while a region holds more text than
   * it was chosen on (a first read can be a few lines), up to SAMPLE bytes.
   */
  private filterFor(chunk: Buffer, from: number, end: number): WindowFilter {
    const length = Math.min(end - from, SAMPLE);
    if (this.filter && length < 2 * this.sampled + 1) return this.filter;
    const sample = chunk.subarray(from, from + length);
    this.sampled = length;
    return (this.filter = new WindowFilter(this.needles, sample, this.stride));
  }
}

/** Record the line holding chunk[at]; returns where its newline is. */
function take(chunk: Buffer, from: number, at: number, starts: number[], ends: number[]): number {
  // lastIndexOf with a negative offset counts from the end of the buffer, so never search before index 0.
  const before = at > from ? chunk.lastIndexOf(NEWLINE, at - 1) : -1;
  const lineEnd = chunk.indexOf(NEWLINE, at);
  starts.push(Math.max(from, before + 1));
  ends.push(lineEnd);
  return lineEnd;
}

function everyLine(chunk: Buffer, from: number, end: number, starts: number[], ends: number[]): void {
  for (let at = from; at < end;) {
    const lineEnd = chunk.indexOf(NEWLINE, at);
    if (lineEnd < 0 || lineEnd >= end) return;
    starts.push(at);
    ends.push(lineEnd);
    at = lineEnd + 1;
  }
}
