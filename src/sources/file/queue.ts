// WorkQueue: the reading loop's pending work as typed tasks, handed out one at a time in a fixed order of priority.
import { first } from "./timing.js";

/** One piece of work for the reading loop; T is an open file. */
export type Task<T> =
  /** Evaluate the configured paths again (new files, files that came back, stale checkpoints). */
  | { kind: "rescan" }
  /** Paths named by watch events; `renamed` when one of those events may have been a rename, create or delete. */
  | { kind: "paths"; paths: [string, boolean][] }
  /** Stat open files: every one when `all`, else the ones the idle rule does not skip. */
  | { kind: "sweep"; all: boolean }
  /** Close the open multiline event of a file (its timeout passed). */
  | { kind: "flush"; file: T }
  /** Read a file that has bytes to read. */
  | { kind: "read"; file: T };

/**
 * What is due, deduplicated: a request made twice before it runs runs once. Order: rescan, watched paths, sweep,
 * multiline flushes, then reads — rotated-away files first (oldest by mtime, so lines come out in the order they
 * were written), then live files round-robin.
 */
export class WorkQueue<T extends { readonly detached: unknown; readonly mtimeMs: number }> {
  private rescanDue = false;
  private sweepDue = false;
  private fullSweepDue = false;
  private readonly paths = new Map<string, boolean>();
  private readonly flushes = new Set<T>();
  private readonly reads = new Set<T>();
  private readonly rotatedReads = new Set<T>();

  rescan(): void {
    this.rescanDue = true;
  }

  sweep(all = false): void {
    this.sweepDue = true;
    if (all) this.fullSweepDue = true;
  }

  path(p: string, renamed: boolean): void {
    this.paths.set(p, renamed || this.paths.get(p) === true);
  }

  flush(file: T): void {
    this.flushes.add(file);
  }

  /** Schedule a read (at the back of its queue when it is already there). */
  read(file: T): void {
    (file.detached ? this.rotatedReads : this.reads).add(file);
  }

  /** Files waiting for a read. */
  get readsWaiting(): number {
    return this.reads.size + this.rotatedReads.size;
  }

  /** Drop every task of a file (it was closed). */
  forget(file: T): void {
    this.flushes.delete(file);
    this.reads.delete(file);
    this.rotatedReads.delete(file);
  }

  /** The next task, removed from the queue; undefined when nothing is due. */
  next(): Task<T> | undefined {
    if (this.rescanDue) {
      this.rescanDue = false;
      return { kind: "rescan" };
    }
    if (this.paths.size > 0) {
      const paths = [...this.paths];
      this.paths.clear();
      return { kind: "paths", paths };
    }
    if (this.sweepDue) {
      const all = this.fullSweepDue;
      this.sweepDue = this.fullSweepDue = false;
      return { kind: "sweep", all };
    }
    const due = first(this.flushes);
    if (due) {
      this.flushes.delete(due);
      return { kind: "flush", file: due };
    }
    const file = this.nextRead();
    return file ? { kind: "read", file } : undefined;
  }

  private nextRead(): T | undefined {
    let oldest: T | undefined;
    for (const t of this.rotatedReads) if (!oldest || t.mtimeMs < oldest.mtimeMs) oldest = t;
    const file = oldest ?? first(this.reads);
    if (file && !this.rotatedReads.delete(file)) this.reads.delete(file);
    return file;
  }
}
