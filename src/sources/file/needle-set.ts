// Many needles found in one pass over raw bytes (Aho-Corasick over ASCII-folded bytes): the cost of a chunk
// no longer grows with the number of rules. A case-sensitive needle's hit is confirmed on the exact bytes.
import { buildAutomaton } from "../../core/aho-corasick.js";
import { foldUnit } from "../../core/literals.js";
import type { KernelDfa, ScanKernel } from "./kernel/kernel.js";
import type { Needle } from "./needle.js";

const NEWLINE = 0x0a;

export class NeedleSet implements KernelDfa {
  /** Next state, pre-multiplied by the number of classes: delta[state + classOf[byte]]. */
  readonly delta: Int32Array;
  /** Class of each byte, ASCII case folded. */
  readonly classOf: Int32Array;
  /** 1 at (pre-multiplied) states where a needle ends. */
  readonly ending: Uint8Array;
  /** Per pre-multiplied ending state, the needles ending there. */
  private readonly endsAt = new Map<number, readonly Needle[]>();
  /**
   * The state at the start of a line: after a newline, as if one came before the region too, so that a needle
   * starting with a newline (a literal anchored at the line start) is found at the region's first line.
   */
  readonly lineStart: number;

  constructor(needles: readonly Needle[]) {
    const automaton = buildAutomaton(needles.map((n) => [...n.bytes].map(foldUnit)));
    const { classes, delta, low, ends } = automaton;
    for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] as number) * classes; // in place: it can be large
    this.delta = delta;
    this.classOf = new Int32Array(256).map((_, byte) => low[foldUnit(byte)] as number);
    this.lineStart = this.delta[this.classOf[NEWLINE] as number] as number;
    this.ending = new Uint8Array(delta.length);
    ends.forEach((found, state) => {
      if (!found) return;
      this.ending[state * classes] = 1;
      this.endsAt.set(
        state * classes,
        found.map((i) => needles[i] as Needle),
      );
    });
  }

  /**
   * Append to starts/ends the lines of chunk[from, end) (whole lines, a newline at end - 1) holding a needle.
   * After a hit the rest of its line is skipped.
   */
  collect(
    chunk: Buffer,
    from: number,
    end: number,
    starts: number[],
    ends: number[],
    kernel: ScanKernel | null = null,
  ): void {
    if (kernel) this.collectInKernel(kernel, chunk, from, end, starts, ends);
    else this.collectHere(chunk, from, end, starts, ends);
  }

  /** The same DFA run by the kernel (chunk[from, end) loaded in it), hits confirmed here. */
  private collectInKernel(
    kernel: ScanKernel,
    chunk: Buffer,
    from: number,
    end: number,
    starts: number[],
    ends: number[],
  ): void {
    let state = this.lineStart;
    for (let p = from; p < end;) {
      const run = kernel.runDfa(this, p, end, state);
      if (run.at < 0) return;
      state = run.state;
      p = run.at + 1;
      if (!this.confirmed(state, chunk, run.at)) continue;
      p = this.take(chunk, from, run.at, starts, ends) + 1;
      state = this.lineStart;
    }
  }

  /** Record the line holding chunk[at]; returns where its newline is. */
  private take(chunk: Buffer, from: number, at: number, starts: number[], ends: number[]): number {
    // lastIndexOf with a negative offset counts from the end of the buffer, so never search before index 0.
    const before = at > from ? chunk.lastIndexOf(NEWLINE, at - 1) : -1;
    const lineEnd = chunk.indexOf(NEWLINE, at);
    starts.push(Math.max(from, before + 1));
    ends.push(lineEnd);
    return lineEnd;
  }

  private collectHere(chunk: Buffer, from: number, end: number, starts: number[], ends: number[]): void {
    const { delta, classOf, ending } = this;
    let state = this.lineStart;
    for (let p = from; p < end; p++) {
      state = delta[state + (classOf[chunk[p] as number] as number)] as number;
      if (ending[state] === 0 || !this.confirmed(state, chunk, p)) continue;
      p = this.take(chunk, from, p, starts, ends);
      state = this.lineStart;
    }
  }

  /** A needle ending at p really is there: any folded one, or a case-sensitive one byte for byte. */
  private confirmed(state: number, chunk: Buffer, p: number): boolean {
    for (const needle of this.endsAt.get(state) as readonly Needle[]) {
      const n = needle.bytes.length;
      // A leading newline was seen by the DFA (or is the region's start, which has none before it in the chunk).
      const skip = needle.bytes[0] === NEWLINE ? 1 : 0;
      if (needle.fold || chunk.compare(needle.bytes, skip, n, p + 1 - n + skip, p + 1) === 0) return true;
    }
    return false;
  }
}
