// How the window filter places each needle: windows counted in a sample of the text, and the stride and
// windows whose cost in that sample is least.
import { byteFrequency } from "../../core/byte-frequency.js";
import type { WindowNeedle } from "./window-filter.js";
import { bitHash, contextAt, LOWER_ALL, MUL_TABLE, PAIR_SLOTS, windowAt } from "./window-hash.js";

/**
 * About what a tested position, a window passing the byte table, and a call out to verify (a pair-table
 * candidate) cost (ns, in a run).
 */
const POSITION_COST = 1.5;
const PASS_COST = 5;
const CANDIDATE_COST = 600;
/** What a candidate of a 4-byte window costs: the kernel verifies it against its slot's needles (no call out). */
const VERIFY_COST = 15;

/**
 * How many positions to step at a time: each needle must then hold `stride` windows of 4 bytes (needles shorter
 * than 4 bytes use the pair table, stride 1). A longer stride tests fewer positions, but a needle's run of
 * windows is less rare than its rarest window: the stride whose sample cost is least wins.
 */
export function bestStride(needles: readonly WindowNeedle[], counts: WindowCounts, sampleBytes: number): number {
  return strideChoice(needles, counts, sampleBytes).stride;
}

/** The stride bestStride picks, and what a filter at that stride costs on the sample (ns, by the model above). */
function strideChoice(
  needles: readonly WindowNeedle[],
  counts: WindowCounts,
  sampleBytes: number,
): { stride: number; cost: number } {
  return cheapestStride(windowCosts(needles, counts, longestStride(needles)), sampleBytes);
}

/** What the needles' windows cost on the sample at each stride from 1 to `longest` (index stride - 1). */
export function windowCosts(needles: readonly WindowNeedle[], counts: WindowCounts, longest: number): number[] {
  const costs = new Array<number>(longest).fill(0);
  for (const needle of needles) {
    const placed = counts.placements(needle);
    for (let i = 0; i < longest; i++) (costs[i] as number) += (placed[i] as Placement).cost;
  }
  return costs;
}

/** The stride whose cost (positions tested, and windows' costs as windowCosts gives them) is least. */
export function cheapestStride(windows: readonly number[], sampleBytes: number): { stride: number; cost: number } {
  let best = { stride: 1, cost: Infinity };
  windows.forEach((cost, i) => {
    const perStride = (sampleBytes * POSITION_COST + cost) / (i + 1);
    if (perStride < best.cost) best = { stride: i + 1, cost: perStride };
  });
  return best;
}

/** The longest stride the needles allow: the shortest must hold that many windows of 4 bytes. */
export function longestStride(needles: readonly WindowNeedle[]): number {
  const shortest = Math.min(...needles.map((n) => n.bytes.length));
  return Math.min(STRIDES, Math.max(1, shortest - 3));
}

/** Where a needle's windows go: the first of its `run` windows, their width, the bytes the bit table tests. */
export interface Placement {
  readonly at: number;
  readonly width: number;
  readonly run: number;
  readonly reach: number;
  /** What its windows' occurrences in the sample cost (see PASS_COST). */
  readonly cost: number;
}

/** The longest stride a placement is priced for (longestStride's bound). */
const STRIDES = 4;

/**
 * The needle's cheapest run of windows at `stride`: the least frequent in the sample; of equally frequent ones,
 * the least likely by the static byte frequencies.
 */
export function placement(needle: WindowNeedle, stride: number, counts: WindowCounts): Placement {
  return counts.placements(needle)[stride - 1] as Placement;
}

/**
 * placement at each stride from 1 to STRIDES (index stride - 1): the window costs and byte shares depend on the
 * needle alone, so they are summed once and each stride only picks its cheapest run from the sums.
 */
function pricePlacements(needle: WindowNeedle, counts: WindowCounts): Placement[] {
  const { bytes, fold } = needle;
  const width = bytes.length >= 4 ? 4 : Math.min(2, bytes.length);
  // The bit table tests 8 bytes from the window on when the needle has them: far fewer false candidates.
  const reach = width === 4 && bytes.length >= 8 ? 8 : width;
  // Sums from the needle's start of its windows' costs and of its bytes' log shares: each run's in two lookups.
  const { costs, shares } = scratch(bytes.length + 1);
  for (let i = 0; i + width <= bytes.length; i++) {
    const key = windowAt(bytes, i, width);
    const cost =
      reach === 8
        ? counts.of(key, 4) * PASS_COST + counts.ofEight(bytes, contextAt(bytes, i)) * VERIFY_COST
        : counts.of(key, width) * (width === 4 ? VERIFY_COST : CANDIDATE_COST);
    costs[i + 1] = (costs[i] as number) + cost;
  }
  const logShare = fold ? FOLDED_SHARES : SHARES;
  for (let i = 0; i < bytes.length; i++)
    shares[i + 1] = (shares[i] as number) + (logShare[bytes[i] as number] as number);
  const placed: Placement[] = [];
  for (let stride = 1; stride <= STRIDES; stride++) {
    const run = width === 4 ? stride : 1;
    // One Placement per stride, made after the search: start-up runs this before it is optimized, where every
    // object made in the loop would be garbage to collect.
    let bestAt = 0;
    let bestCost = Infinity;
    let bestScore = Infinity;
    for (let at = 0; at + width + run - 1 <= bytes.length; at++) {
      const cost = (costs[at + run] as number) - (costs[at] as number);
      const score = cost + (shares[at + width + run - 1] as number) - (shares[at] as number);
      if (score < bestScore) {
        bestAt = at;
        bestCost = cost;
        bestScore = score;
      }
    }
    placed.push({ at: bestAt, width, run, reach, cost: bestCost });
  }
  return placed;
}

/** A byte's static log share as placement scores it (0.01 × ln of its frequency), by byte, plain and folded. */
const SHARES = logShares(false);
const FOLDED_SHARES = logShares(true);

function logShares(fold: boolean): Float64Array {
  const table = new Float64Array(256);
  for (let b = 0; b < 256; b++) table[b] = 0.01 * Math.log(Math.max(1e-4, byteFrequency(b, fold)));
  return table;
}

/** placement's running sums, reused from call to call (pricing a big set calls it for every needle and stride). */
let sums = { costs: new Float64Array(64), shares: new Float64Array(64) };

function scratch(length: number): { costs: Float64Array; shares: Float64Array } {
  if (sums.costs.length < length) sums = { costs: new Float64Array(2 * length), shares: new Float64Array(2 * length) };
  return sums;
}

/**
 * Bits of the hashes the sample's 4-byte windows and 8-byte contexts are counted by. Collisions give a rare
 * needle window the count of a common one and turn its placement to worse windows: 8-byte contexts collided often
 * at 16 bits (a needle's `user/161` counted as the user agents' `.0.0.0 S`).
 */
const LONG_BITS = 17;
const EIGHT_BITS = 18;

/**
 * How often each window (by a hash) occurs in a sample of the text: a needle's window common there would
 * make candidates all along the text (a needle's "http" in access logs), whatever its bytes' usual frequencies.
 */
export class WindowCounts {
  private readonly long = new Uint32Array(1 << LONG_BITS);
  private readonly eight = new Uint32Array(1 << EIGHT_BITS);
  private readonly pairs = new Uint32Array(PAIR_SLOTS);
  /** Each needle's placements on this sample (see pricePlacements), priced once for every stride and plan. */
  private readonly placed = new Map<WindowNeedle, Placement[]>();

  constructor(sample: Buffer) {
    for (let p = 0; p + 4 <= sample.length; p++) {
      const w = sample.readUInt32LE(p) | LOWER_ALL;
      (this.long[Math.imul(w, MUL_TABLE) >>> (32 - LONG_BITS)] as number)++;
      (this.pairs[w & 0xffff] as number)++;
      if (p + 8 <= sample.length)
        (this.eight[bitHash(w, sample.readUInt32LE(p + 4) | LOWER_ALL) >>> (32 - EIGHT_BITS)] as number)++;
    }
  }

  /** The needle's placement at each stride from 1 to 4 (index stride - 1) on this sample. */
  placements(needle: WindowNeedle): readonly Placement[] {
    let placed = this.placed.get(needle);
    if (!placed) this.placed.set(needle, (placed = pricePlacements(needle, this)));
    return placed;
  }

  /** Occurrences in the sample of the window with this key (windowAt), or of colliding ones. */
  of(key: number, width: number): number {
    if (width === 4) return this.long[Math.imul(key, MUL_TABLE) >>> (32 - LONG_BITS)] as number;
    return width === 2 ? (this.pairs[key] as number) : 0;
  }

  /** The same for the 8 bytes of two windows (keys of the first 4 and of the next 4). */
  ofEight(bytes: Buffer, at: number): number {
    return this.eight[bitHash(windowAt(bytes, at, 4), windowAt(bytes, at + 4, 4)) >>> (32 - EIGHT_BITS)] as number;
  }
}
