// One rule's lane of an exec action: at most `concurrency` runs at a time; events that arrive while
// every slot is busy are coalesced into one next run, bounded by max_queue_lines (oldest lines dropped).
import type { LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import { eventLines } from "./env.js";

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

export interface LaneOptions {
  concurrency: number;
  maxQueueLines: number;
  /**
   * Run a job; resolves when the command has finished (whatever its outcome). Resolving `false` (a command killed
   * by the daemon's stop) leaves its events unreleased: their source reads them again after the restart.
   */
  run(job: Job): Promise<boolean | void>;
  /** The first time lines are dropped from a queued job (later drops are summed into job.dropped). */
  onFirstDrop(dropped: number): void;
  /** Called whenever the lane becomes idle (nothing running or queued). */
  onIdle(): void;
}

/** A queued event and how many of its lines are still in the queue. */
interface Entry {
  release: Release;
  lines: number;
}

export class RuleLane {
  private running = 0;
  private pending: { job: Job; entries: Entry[] } | undefined;

  constructor(private readonly options: LaneOptions) {}

  get idle(): boolean {
    return this.running === 0 && this.pending === undefined;
  }

  offer(event: LogEvent, release: Release): void {
    const lines = eventLines(event);
    if (this.running < this.options.concurrency) {
      this.start({
        latest: event,
        lines,
        count: event.count,
        suppressed: event.suppressed,
        events: 1,
        dropped: 0,
        releases: [release],
      });
      return;
    }
    this.enqueue(event, lines, release);
  }

  /** Forget queued events without running or releasing them (shutdown: they are read again after a restart). */
  clear(): void {
    this.pending = undefined;
    if (this.idle) this.options.onIdle();
  }

  private enqueue(event: LogEvent, lines: string[], release: Release): void {
    if (!this.pending) {
      this.pending = {
        job: { latest: event, lines: [], count: 0, suppressed: 0, events: 0, dropped: 0, releases: [] },
        entries: [],
      };
    }
    const { job, entries } = this.pending;
    job.latest = event;
    for (const line of lines) job.lines.push(line);
    job.count += event.count;
    job.suppressed += event.suppressed;
    job.events++;
    entries.push({ release, lines: lines.length });
    const excess = job.lines.length - this.options.maxQueueLines;
    if (excess > 0) this.dropOldest(excess);
  }

  /** Drop the oldest queued lines; an event left with no line in the queue is released (given up). */
  private dropOldest(excess: number): void {
    const { job, entries } = this.pending as { job: Job; entries: Entry[] };
    job.lines.splice(0, excess);
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
      .then((ran) => {
        if (ran !== false) for (const release of job.releases) release();
        this.running--;
        this.next();
      });
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
