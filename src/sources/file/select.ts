// Literal prefilter on raw bytes: find the lines of a chunk that contain a needle, without decoding any line.
import { KERNEL_NEEDLE_BYTES, KERNEL_REGION_BYTES, type ScanKernel, scanKernel } from "./kernel/kernel.js";
import type { Needle } from "./needle.js";
import { NeedleSet } from "./needle-set.js";
import { startsLine, TeddySet } from "./teddy.js";

const NEWLINE = 0x0a;
/**
 * Without Teddy (no kernel, or needles too long for its tables), up to this many needles are searched one by one
 * (rare bytes first); more in one multi-needle pass.
 */
export const SEPARATE_NEEDLES = 4;
/**
 * Up to this many needles are searched with Teddy when the kernel runs: with more, its 8 buckets admit so many
 * false candidates that the multi-needle search (NeedleSet) is as fast (measured on access logs, bench/NOTES.md).
 */
const TEDDY_NEEDLES = 32;
/** The multi-needle search of a needle list (lists are kept by the source while the rules stay the same). */
const sets = new WeakMap<readonly Needle[], NeedleSet>();
/** The Teddy search of a needle list, or null when its needles do not fit one. */
const teddies = new WeakMap<readonly Needle[], TeddySet | null>();
/** A needle list without the needles no line can hold. */
const withinLines = new WeakMap<readonly Needle[], readonly Needle[]>();

/** Candidate lines of a region: where each starts and where its newline is, ascending; and how many lines it has. */
export interface Spans {
  starts: number[];
  ends: number[];
  lines: number;
}

/**
 * The lines of chunk[from, end) (whole lines: `from` starts one, chunk[end - 1] is a newline) whose bytes contain
 * at least one needle (one starting with a newline: at the line's start). A line's text contains a literal only if
 * its UTF-8 bytes do, so no match is missed. With the kernel, several needles or an anchored one are found by
 * Teddy (up to TEDDY_NEEDLES), more by the multi-needle window filter (NeedleSet).
 */
export function candidateSpans(
  chunk: Buffer,
  from: number,
  end: number,
  all: readonly Needle[],
  kernel: ScanKernel | null = usableKernel(from, end, all),
): Spans {
  // A needle that is only a line start is in every line (the DFA would see it at the newline ending the line before).
  if (all.some((n) => n.bytes.length === 1 && n.bytes[0] === NEWLINE)) return everyLine(chunk, from, end);
  const needles = lineNeedles(all);
  kernel?.load(chunk, from, end);
  const spans: Spans = { starts: [], ends: [], lines: kernel ? kernel.count(from, end) : countLines(chunk, from, end) };
  if (needles.length === 0) return spans;
  const anchored = needles.some((n) => n.bytes[0] === NEWLINE);
  // One line-start needle: the kernel's find on its newline and its rarest other byte costs about a newline count.
  if (kernel && needles.length === 1 && anchored) {
    collect(chunk, from, end, needles[0] as Needle, spans, kernel);
    return spans;
  }
  const teddy = kernel && needles.length > 1 ? teddySet(needles) : null;
  if (kernel && teddy?.startRegion()) {
    const rest = teddy.collect(chunk, from, end, spans.starts, spans.ends, kernel);
    if (rest < end) needleSet(needles).collect(chunk, rest, end, spans.starts, spans.ends, kernel);
    return spans;
  }
  // Folded needles are found only by the kernel and the multi-needle search, and so are needles anchored at the
  // start of a line (a leading newline, which the region's first line has none of).
  if (needles.length > SEPARATE_NEEDLES || anchored || teddy || (!kernel && needles.some((n) => n.fold))) {
    needleSet(needles).collect(chunk, from, end, spans.starts, spans.ends, kernel);
    return spans;
  }
  for (const needle of needles) collect(chunk, from, end, needle, spans, kernel);
  return needles.length > 1 ? sortUnique(spans) : spans;
}

/**
 * The needles a line can hold: a line has no newline, so a needle with one after its first byte is in none (a
 * leading newline stands for the line's start).
 */
function lineNeedles(needles: readonly Needle[]): readonly Needle[] {
  let kept = withinLines.get(needles);
  if (!kept) withinLines.set(needles, (kept = needles.filter((n) => n.bytes.indexOf(NEWLINE, 1) < 0)));
  return kept;
}

function teddySet(needles: readonly Needle[]): TeddySet | null {
  let teddy = teddies.get(needles);
  if (teddy === undefined) {
    teddy = needles.length <= TEDDY_NEEDLES && TeddySet.fits(needles) ? new TeddySet(needles) : null;
    teddies.set(needles, teddy);
  }
  return teddy;
}

function needleSet(needles: readonly Needle[]): NeedleSet {
  let set = sets.get(needles);
  if (!set) sets.set(needles, (set = new NeedleSet(needles)));
  return set;
}

/** The SIMD kernel when it runs here and takes this region and these needles (about 3× faster than indexOf). */
function usableKernel(from: number, end: number, needles: readonly Needle[]): ScanKernel | null {
  if (end - from > KERNEL_REGION_BYTES || needles.some((n) => n.bytes.length > KERNEL_NEEDLE_BYTES)) return null;
  return scanKernel() ?? null;
}

/**
 * Append the line of every hit of one needle: one search per hit, resuming after the line it is in (at its
 * newline, for a needle anchored at a line start: that newline is its first byte).
 */
function collect(
  chunk: Buffer,
  from: number,
  end: number,
  needle: Needle,
  spans: Spans,
  kernel: ScanKernel | null,
): void {
  if (needle.bytes.length === 0) return;
  needle.startChunk(end - from);
  const anchored = needle.bytes[0] === NEWLINE ? 1 : 0;
  let at = from;
  // The region's first line has no newline before it in the region.
  if (anchored && startsLine(chunk, from, end, needle)) {
    at = chunk.indexOf(NEWLINE, from);
    spans.starts.push(from);
    spans.ends.push(at);
  }
  while (at < end) {
    const found = kernel ? kernel.find(needle, at, end) : needle.find(chunk, at, end);
    if (found < 0) return;
    const hit = found + anchored;
    // lastIndexOf with a negative offset counts from the end of the buffer, so never search before index 0.
    const before = hit > from ? chunk.lastIndexOf(NEWLINE, hit - 1) : -1;
    const lineEnd = chunk.indexOf(NEWLINE, hit);
    spans.starts.push(Math.max(from, before + 1));
    spans.ends.push(lineEnd);
    at = lineEnd + 1 - anchored;
  }
}

function everyLine(chunk: Buffer, from: number, end: number): Spans {
  const spans: Spans = { starts: [], ends: [], lines: 0 };
  for (let at = from; at < end;) {
    const lineEnd = chunk.indexOf(NEWLINE, at);
    if (lineEnd < 0 || lineEnd >= end) break;
    spans.starts.push(at);
    spans.ends.push(lineEnd);
    at = lineEnd + 1;
  }
  spans.lines = spans.starts.length;
  return spans;
}

function countLines(chunk: Buffer, from: number, end: number): number {
  let lines = 0;
  for (let at = chunk.indexOf(NEWLINE, from); at >= 0 && at < end; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}

/** Several needles found lines in separate passes: put them in file order, each once. */
function sortUnique(spans: Spans): Spans {
  const order = spans.starts.map((_, i) => i).sort((a, b) => (spans.starts[a] as number) - (spans.starts[b] as number));
  const out: Spans = { starts: [], ends: [], lines: spans.lines };
  for (const i of order) {
    const start = spans.starts[i] as number;
    if (out.starts.length > 0 && out.starts[out.starts.length - 1] === start) continue;
    out.starts.push(start);
    out.ends.push(spans.ends[i] as number);
  }
  return out;
}
