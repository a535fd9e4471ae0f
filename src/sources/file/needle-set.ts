// Many needles found in one pass over raw bytes: a window filter (window-filter.ts) run by the SIMD kernel's
// scalar loop or here, each candidate verified on the bytes, so the cost of a chunk hardly grows with the rules.
// With the kernel, needles anchored at a line start may take a pass of their own over line starts (needle-plan.ts);
// the passes' lines are merged in order.
import type { ScanKernel } from "./kernel/kernel.js";
import type { Needle } from "./needle.js";
import { type NeedlePlan, planNeedles } from "./needle-plan.js";
import { WindowFilter } from "./window-filter.js";

const NEWLINE = 0x0a;
/** Bytes of the first chunk counted to choose the needles' windows. */
const SAMPLE = 256 * 1024;

/** Lines found by one pass: starts and ends ascending. */
interface Found {
  starts: number[];
  ends: number[];
}

export class NeedleSet {
  private filter: WindowFilter | undefined;
  private plan: NeedlePlan | undefined;
  /** Bytes of text the filter's windows were chosen on. */
  private sampled = 0;
  private planSampled = 0;

  /**
   * `stride` (tests): the filter's stride, instead of the one its first chunk suggests; `split` (tests): whether
   * line-start needles take a pass of their own with the kernel (true, false; undefined: planNeedles decides).
   */
  constructor(
    private readonly needles: readonly Needle[],
    private readonly stride?: number,
    private readonly split?: boolean,
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
    if (kernel && this.split !== false) return this.collectSplit(chunk, from, end, starts, ends, kernel);
    const filter = this.filterFor(chunk, from, end);
    if (filter.everyLine) return everyLine(chunk, from, end, starts, ends);
    collectFiltered(filter, chunk, from, end, { starts, ends }, kernel);
  }

  /** The plan's passes, each over the whole region, their lines merged. */
  private collectSplit(chunk: Buffer, from: number, end: number, starts: number[], ends: number[], kernel: ScanKernel) {
    const plan = this.planFor(chunk, from, end);
    if (plan.everyLine) return everyLine(chunk, from, end, starts, ends);
    const passes: Found[] = [];
    const pass = (): Found => {
      const found: Found = passes.length === 0 ? { starts, ends } : { starts: [], ends: [] };
      passes.push(found);
      return found;
    };
    // The first pass appends to the caller's lists: alone (the usual case with one pass) nothing is merged.
    const mark = starts.length;
    if (plan.filter) collectFiltered(plan.filter, chunk, from, end, pass(), kernel);
    if (plan.lineStarts) {
      const lineStarts = plan.lineStarts;
      collectVerified((p) => kernel.runLineStarts(lineStarts, p, end, from), chunk, from, end, pass());
    }
    if (passes.length > 1) mergeInto(starts, ends, mark, passes.slice(1));
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

  /** The split of the needles into passes, made again like the filter (filterFor). */
  private planFor(chunk: Buffer, from: number, end: number): NeedlePlan {
    const length = Math.min(end - from, SAMPLE);
    if (this.plan && length < 2 * this.planSampled + 1) return this.plan;
    this.planSampled = length;
    return (this.plan = planNeedles(this.needles, chunk.subarray(from, from + length), this.stride, this.split));
  }
}

/** The lines of a 4-byte window filter's hits (JS verifies what the kernel or `next` return as candidates). */
function collectFiltered(
  filter: WindowFilter,
  chunk: Buffer,
  from: number,
  end: number,
  found: Found,
  kernel: ScanKernel | null,
): void {
  const { starts, ends } = found;
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

/** The lines of a kernel pass returning verified hits (their last byte), resuming at each hit line's newline. */
function collectVerified(run: (p: number) => number, chunk: Buffer, from: number, end: number, found: Found): void {
  for (let p = from; p < end;) {
    const hit = run(p);
    if (hit < 0) return;
    p = take(chunk, from, hit, found.starts, found.ends);
  }
}

/** Merge the passes' lines into starts/ends after `mark` (the first pass's lines): ascending, each line once. */
function mergeInto(starts: number[], ends: number[], mark: number, others: readonly Found[]): void {
  const lists: Found[] = [{ starts: starts.splice(mark), ends: ends.splice(mark) }, ...others];
  const next = lists.map(() => 0);
  let last = -1;
  for (;;) {
    let pick = -1;
    let least = Infinity;
    for (let i = 0; i < lists.length; i++) {
      const start = (lists[i] as Found).starts[next[i] as number];
      if (start !== undefined && start < least) [pick, least] = [i, start];
    }
    if (pick < 0) return;
    const list = lists[pick] as Found;
    const at = next[pick] as number;
    next[pick] = at + 1;
    if (least === last) continue;
    starts.push(least);
    ends.push(list.ends[at] as number);
    last = least;
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
