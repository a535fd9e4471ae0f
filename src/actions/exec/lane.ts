// One rule's lane of an exec action: at most `concurrency` runs at a time; events that arrive while
// every slot is busy are coalesced into one next run, bounded by max_queue_lines (oldest lines dropped),
// or, with a wait, ignored until the wait after the run has passed.
import type { Clock, Timer } from "../../core/clock.js";
import type { LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import { stdinLines } from "./env.js";

/** What one run carries: the latest event (its env), every line, totals, and the releases to call after. */
export interface Job {
  latest: LogEvent;
  lines: string[];
  count: number;
  suppressed: number;
  /** Events merged into this run. */
  events: number;
  /** Queued lines dropped to stay within max_queue_lines. */
  dropped: number;
  releases: Release[];
}

/**
 * Characters of queued lines (at most two bytes each in memory) kept for the next run, whatever max_queue_lines says.
 */
export const MAX_QUEUE_CHARS = 8 * 1024 * 1024;

export interface LaneOptions {
  concurrency: number;
  maxQueueLines: number;
  /** Characters of queued lines; past it the oldest lines are dropped as for maxQueueLines. */
  maxQueueChars?: number;
  /** Run a job; resolves when the command has finished (whatever its outcome). */
  run(job: Job): Promise<void>;
  /** The first time lines are dropped from a queued job (later drops are summed into job.dropped). */
  onFirstDrop(dropped: number): void;
  /** Called whenever the lane becomes idle (nothing running or queued). */
  onIdle(): void;
  /** With a wait: matches during a run and this long after its end are ignored (0: coalesced instead). */
  waitMs?: number;
  clock?: Clock;
  /** Once per wait, at its end, when matches were ignored during the run and the wait. */
  onWaitEnd?(ignored: number): void;
}

/** A queued event and how many of its lines are still in the queue. */
interface Entry {
  release: Release;
  lines: number;
}

export class RuleLane {
  private running = 0;
  private pending: { job: Job; entries: Entry[]; chars: number } | undefined;
  /** With a wait: end of the current wait, matches ignored in this run + wait, and since the last run. */
  private quietUntil = 0;
  private quietTimer: Timer | undefined;
  private ignoredNow = 0;
  private ignoredSinceRun = 0;
  private shutDown = false;

  constructor(private readonly options: LaneOptions) {}

  get idle(): boolean {
    return this.running === 0 && this.pending === undefined;
  }

  offer(event: LogEvent, release: Release): void {
    if (this.waiting()) {
      // Reading never pauses: the match was read, is counted, and is done with.
      this.ignoredNow += event.count;
      this.ignoredSinceRun += event.count + event.suppressed;
      release();
      return;
    }
    const lines = stdinLines(event);
    if (this.running < this.options.concurrency) {
      if (this.quietTimer) this.endWait();
      const suppressed = event.suppressed + this.ignoredSinceRun;
      this.ignoredSinceRun = 0;
      this.start({
        latest: event,
        lines,
        count: event.count,
        suppressed,
        events: 1,
        dropped: 0,
        releases: [release],
      });
      return;
    }
    this.enqueue(event, lines, release);
  }

  /**
   * Shutdown: forget queued events without running or releasing them, and release no running one when it ends
   * (stop kills it): they are all read again after a restart.
   */
  clear(): void {
    this.shutDown = true;
    this.pending = undefined;
    this.quietTimer?.cancel();
    this.quietTimer = undefined;
    if (this.idle) this.options.onIdle();
  }

  private enqueue(event: LogEvent, lines: string[], release: Release): void {
    if (!this.pending) {
      this.pending = {
        job: { latest: event, lines: [], count: 0, suppressed: 0, events: 0, dropped: 0, releases: [] },
        entries: [],
        chars: 0,
      };
    }
    const { job, entries } = this.pending;
    job.latest = event;
    for (const line of lines) job.lines.push(line);
    for (const line of lines) this.pending.chars += line.length;
    job.count += event.count;
    job.suppressed += event.suppressed;
    job.events++;
    entries.push({ release, lines: lines.length });
    const excess = this.excessLines();
    if (excess > 0) this.dropOldest(excess);
  }

  /**
   * Oldest lines to drop so the queue holds at most maxQueueLines lines and maxQueueChars characters (and one line).
   */
  private excessLines(): number {
    const pending = this.pending as { job: Job; chars: number };
    const lines = pending.job.lines;
    let excess = Math.max(0, lines.length - this.options.maxQueueLines);
    let chars = pending.chars;
    for (let i = 0; i < excess; i++) chars -= (lines[i] as string).length;
    const limit = this.options.maxQueueChars ?? MAX_QUEUE_CHARS;
    while (chars > limit && excess < lines.length - 1) chars -= (lines[excess++] as string).length;
    return excess;
  }

  /** Drop the oldest queued lines; an event left with no line in the queue is released (given up). */
  private dropOldest(excess: number): void {
    const pending = this.pending as { job: Job; entries: Entry[]; chars: number };
    const { job, entries } = pending;
    for (const line of job.lines.splice(0, excess)) pending.chars -= line.length;
    if (job.dropped === 0) this.options.onFirstDrop(excess);
    job.dropped += excess;
    let left = excess;
    while (left > 0 && entries.length > 0) {
      const entry = entries[0] as Entry;
      const take = Math.min(entry.lines, left);
      entry.lines -= take;
      left -= take;
      if (entry.lines > 0) break;
      entries.shift();
      entry.release();
    }
  }

  private start(job: Job): void {
    this.running++;
    this.options
      .run(job)
      .catch(() => {}) // run() reports its own failures; the lane must go on
      .finally(() => {
        if (!this.shutDown) for (const release of job.releases) release();
        this.running--;
        this.startWait();
        this.next();
      });
  }

  /** In a run, or within the wait after one (only when the lane has a wait). */
  private waiting(): boolean {
    const { waitMs, clock } = this.options;
    if (!waitMs || !clock) return false;
    return this.running > 0 || clock.now() < this.quietUntil;
  }

  /** After a run ends: the wait starts now; at its end, say how many matches the run and the wait swallowed. */
  private startWait(): void {
    const { waitMs, clock } = this.options;
    if (!waitMs || !clock) return;
    this.quietUntil = clock.now() + waitMs;
    this.quietTimer?.cancel();
    this.quietTimer = clock.setTimeout(() => this.endWait(), waitMs);
  }

  /** Report what the wait ignored: at its timer, or when a run starts first (a timer may fire a little late). */
  private endWait(): void {
    this.quietTimer?.cancel();
    this.quietTimer = undefined;
    const ignored = this.ignoredNow;
    this.ignoredNow = 0;
    if (ignored > 0) this.options.onWaitEnd?.(ignored);
  }

  private next(): void {
    if (this.pending && this.running < this.options.concurrency) {
      const { job, entries } = this.pending;
      this.pending = undefined;
      job.releases = entries.map((e) => e.release);
      this.start(job);
    }
    if (this.idle) this.options.onIdle();
  }
}
