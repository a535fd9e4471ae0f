// Lines walked by the automaton two at a time: the even lines of a run as one stream, the odd ones as another (lines
// side by side in memory), both stepping in one loop. Each step of a walk waits on its table read; two walks that do not wait on each
// other overlap, so a unit costs about half. Each line's hits are kept for the caller to take in line order.
import { walk, type Automaton } from "./aho-corasick.js";

/** Entries of hits taken per call of walk (a line with more goes on from the last). */
const CHUNK = 256;
/** A stream's hits array grown past this many entries (a run of lines full of literals) is let go after the run. */
const KEPT = 1 << 16;

/** One stream: its lines, where it is in the current one, and the hits of its lines so far. */
class Stream {
  hits = new Int32Array(CHUNK);
  count = 0;
  line = 0;
  end = 0;
  at = 0;
  ref = 0;

  reset(first: number, end: number, start: number): void {
    if (this.hits.length > KEPT) this.hits = new Int32Array(CHUNK);
    this.count = 0;
    this.line = first;
    this.end = end;
    this.at = 0;
    this.ref = start;
  }

  append(hits: Int32Array, n: number): void {
    while (this.count + n > this.hits.length) this.grow();
    this.hits.set(hits.subarray(0, n), this.count);
    this.count += n;
  }

  grow(): void {
    const hits = new Int32Array(2 * this.hits.length);
    hits.set(this.hits);
    this.hits = hits;
  }
}

export class LineWalk {
  private readonly a = new Stream();
  private readonly b = new Stream();
  private readonly scratch = new Int32Array(CHUNK);
  /** Per line of the run (from `first`), the end of its entries in its stream's hits. */
  private ends = new Int32Array(64);
  private first = 0;

  constructor(
    private readonly automaton: Automaton,
    /** Unit classes below 256 (see walk). */
    private readonly low: Int32Array,
    /** The state each line starts in: dense, and no literal ends in it. */
    private readonly start: number,
  ) {}

  /** Walk lines[first..end): then hitsOf, from and to give each one's hits, (state, offset past it) pairs. */
  walk(lines: readonly string[], first: number, end: number): void {
    this.first = first;
    if (this.ends.length < end - first) this.ends = new Int32Array(2 * (end - first));
    const { a, b, automaton, low } = this;
    a.reset(first, end, this.start);
    b.reset(first + 1, end, this.start);
    while (a.line < a.end && b.line < b.end) {
      walkStreams(automaton, low, this.start, lines, a, b, this.ends, first);
      if (a.line < a.end && b.line < b.end) this.unstick(a, lines[a.line] as string, b, lines[b.line] as string);
    }
    for (const stream of [a, b]) while (stream.line < stream.end) this.finish(stream, lines[stream.line] as string);
  }

  /** The hits array holding the line's hits, from index from(line) to to(line). */
  hitsOf(line: number): Int32Array {
    return (line - this.first) % 2 === 0 ? this.a.hits : this.b.hits;
  }

  from(line: number): number {
    return line - 2 < this.first ? 0 : (this.ends[line - 2 - this.first] as number);
  }

  to(line: number): number {
    return this.ends[line - this.first] as number;
  }

  /**
   * walkStreams stopped inside a line of each: before a hit with no room (the hits grow), or before a unit from 256 up
   * or a step into a compact state, which that line then takes alone to its end.
   */
  private unstick(a: Stream, lineA: string, b: Stream, lineB: string): void {
    if (a.count === a.hits.length) return a.grow();
    if (b.count === b.hits.length) return b.grow();
    if (this.alone(a, lineA)) this.finish(a, lineA);
    else this.finish(b, lineB);
  }

  /** Whether the stream's next step leaves the pair: a unit from 256 up (a Map's class), or into a compact state. */
  private alone(stream: Stream, line: string): boolean {
    const unit = line.charCodeAt(stream.at);
    return (
      unit > 255 || (this.automaton.rows[stream.ref + (this.low[unit] as number)] as number) >= this.automaton.denseEnd
    );
  }

  /** The rest of the stream's current line by walk alone, then the next line. */
  private finish(stream: Stream, line: string): void {
    const { automaton, low, scratch } = this;
    let { at, ref } = stream;
    while (at < line.length) {
      const n = walk(automaton, low, line, at, ref, scratch);
      stream.append(scratch, n);
      if (n < scratch.length) break;
      ref = scratch[n - 2] as number;
      at = scratch[n - 1] as number;
    }
    this.next(stream);
  }

  private next(stream: Stream): void {
    this.ends[stream.line - this.first] = stream.count;
    stream.line += 2;
    stream.at = 0;
    stream.ref = this.start;
  }
}

/**
 * The two streams' walks in one loop, each going on to its next line (from `start`) when one ends: every dense
 * state where literals end (and the offset past it) goes into its stream's hits, and each line's end into `ends`.
 * Stops when a stream has no line left, or before a unit from 256 up, a step into a compact state or a hit with no
 * room (the caller sees to those: see unstick). Where each stream stopped is written back into it.
 */
function walkStreams(
  automaton: Automaton,
  low: Int32Array,
  start: number,
  lines: readonly string[],
  a: Stream,
  b: Stream,
  ends: Int32Array,
  first: number,
): void {
  const { rows, accepting, denseEnd } = automaton;
  const { hits: hitsA, end: endA } = a;
  const { hits: hitsB, end: endB } = b;
  let { line: lineA, at: atA, ref: refA, count: nA } = a;
  let { line: lineB, at: atB, ref: refB, count: nB } = b;
  let textA = lines[lineA] as string;
  let textB = lines[lineB] as string;
  for (;;) {
    if (atA === textA.length) {
      ends[lineA - first] = nA;
      if ((lineA += 2) >= endA) break;
      textA = lines[lineA] as string;
      atA = 0;
      refA = start;
      continue;
    }
    if (atB === textB.length) {
      ends[lineB - first] = nB;
      if ((lineB += 2) >= endB) break;
      textB = lines[lineB] as string;
      atB = 0;
      refB = start;
      continue;
    }
    // Both lines go on for `steps` units: one counter, no line end to check within.
    const steps = Math.min(textA.length - atA, textB.length - atB);
    let k = 0;
    for (; k < steps; k++) {
      const ua = textA.charCodeAt(atA + k);
      const ub = textB.charCodeAt(atB + k);
      if ((ua | ub) > 255) break;
      const nextA = rows[refA + (low[ua] as number)] as number;
      const nextB = rows[refB + (low[ub] as number)] as number;
      if (nextA >= accepting || nextB >= accepting) {
        if (nextA >= denseEnd || nextB >= denseEnd || nA === hitsA.length || nB === hitsB.length) break;
        if (nextA >= accepting) {
          hitsA[nA++] = nextA;
          hitsA[nA++] = atA + k + 1;
        }
        if (nextB >= accepting) {
          hitsB[nB++] = nextB;
          hitsB[nB++] = atB + k + 1;
        }
      }
      refA = nextA;
      refB = nextB;
    }
    atA += k;
    atB += k;
    if (k < steps) break;
  }
  [a.line, a.at, a.ref, a.count] = [lineA, atA, refA, nA];
  [b.line, b.at, b.ref, b.count] = [lineB, atB, refB, nB];
}
