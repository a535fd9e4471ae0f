// Narrower forms of a required literal set, and what searching for a set costs: a set such as the twenty strings
// `0/items HTTP/1.0" 5` … `9/items HTTP/1.1" 5` is still required with each string cut down, and cut to two
// (`/items HTTP/1.0" 5`, `/items HTTP/1.1" 5`) it is far cheaper to search for and lets through as few lines.
import { LINE_START } from "./literal-algebra.js";

/** Fewest characters (line start aside) a narrowed string keeps: shorter ones are in too many lines. */
const MIN_CHARS = 3;

/** Characters of a literal, a leading line start not counted. */
export function literalChars(s: string): number {
  return s.startsWith(LINE_START) ? s.length - LINE_START.length : s.length;
}

/**
 * Sets narrower than `set` that every line holding one of its strings also holds one of: each string cut at
 * both ends by the same amounts while that makes strings the same (fewer to search for), and the longest string
 * all of them share. Sound by construction: a substring of a string a line holds is in the line too.
 */
export function narrowed(set: string[]): string[][] {
  if (set.length < 2) return [];
  const out: string[][] = [];
  for (const front of [set as string[], ...cutsToFewer(set, (s, k) => s.slice(k))]) {
    if (front !== set) out.push(front);
    out.push(...cutsToFewer(front, (s, k) => s.slice(0, s.length - k)));
  }
  const shared = longestShared(set);
  if (shared !== undefined && literalChars(shared) >= MIN_CHARS) out.push([shared]);
  return out;
}

/**
 * The set with k characters cut from each string (by `cut`), for each least k that gives fewer distinct strings
 * than any smaller k, every string keeping MIN_CHARS. The count only falls as k grows (strings the same stay the
 * same), so a range whose ends have the same count has no such k inside: found by halving, not by trying each k.
 */
function cutsToFewer(set: readonly string[], cut: (s: string, k: number) => string): string[][] {
  let shortest = Infinity;
  for (const s of set) shortest = Math.min(shortest, literalChars(s));
  const most = shortest - MIN_CHARS;
  if (most < 1) return [];
  const cuts = new Map<number, string[]>([[0, [...set]]]);
  const cutBy = (k: number): string[] => {
    let out = cuts.get(k);
    if (!out) cuts.set(k, (out = [...new Set(set.map((s) => cut(s, k)))]));
    return out;
  };
  const found: number[] = [];
  const search = (lo: number, hi: number): void => {
    if (cutBy(lo).length === cutBy(hi).length) return;
    if (hi - lo === 1) return void found.push(hi);
    const mid = (lo + hi) >> 1;
    search(lo, mid);
    search(mid, hi);
  };
  search(0, most);
  return found.map(cutBy);
}

/**
 * The longest string every string of the set contains (the first in the shortest string of equal ones), or
 * undefined for none. If the strings share a piece of some length they share one of every shorter length, so the
 * longest length is found by halving; then its first piece.
 */
export function longestShared(set: readonly string[]): string | undefined {
  const shortest = set.reduce((a, b) => (b.length < a.length ? b : a));
  let lo = 0; // the strings share a piece this long ("")
  let hi = shortest.length + 1; // and none this long
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sharedPiece(set, shortest, mid) !== undefined) lo = mid;
    else hi = mid;
  }
  return lo > 0 ? sharedPiece(set, shortest, lo) : undefined;
}

/** The first piece of `shortest` of this length that every string of the set contains. */
function sharedPiece(set: readonly string[], shortest: string, length: number): string | undefined {
  for (let at = 0; at + length <= shortest.length; at++) {
    const piece = shortest.slice(at, at + length);
    let everywhere = true;
    for (let i = 0; i < set.length && everywhere; i++) everywhere = (set[i] as string).includes(piece);
    if (everywhere) return piece;
  }
  return undefined;
}

/** Up to this many needles are searched one by one (SIMD, by their rare bytes); more in one multi-needle pass. */
export const SEPARATE_NEEDLES = 4;
/** The cost of one SIMD search for a needle over a line, as a share of the cost of a line let through. */
const NEEDLE_COST = 0.02;
/** The cost of a multi-needle pass (one table step per byte) over a line, in the same unit. */
const MULTI_NEEDLE_COST = 0.1;

/**
 * The cost of searching every line for a set of this many literals, in lines let through to the patterns: a few
 * needles are searched one by one, so each one costs; past that one multi-needle pass costs the same for any.
 */
export function scanCost(literals: number): number {
  return literals <= SEPARATE_NEEDLES ? literals * NEEDLE_COST : MULTI_NEEDLE_COST;
}
