// Traffic analytics on event time: interval reports and the high-traffic alert, driven by hits and a Clock.
import type { Clock, Timer } from "../core/clock.js";
import type { RequestHit } from "../parsers/access.js";
import { buildReport, IntervalCounts, round, type IntervalTally, type StatsReport } from "./report.js";
import { SecondWindow } from "./window.js";

export interface TrafficAlert {
  state: "firing" | "recovered";
  /** The window boundary (ms) where the rate crossed the threshold. */
  at: number;
  /** Hits in the window ending at `at`, and hits / window seconds. */
  hits: number;
  rate: number;
  /** The wording people grep for. */
  message: string;
}

export interface TrafficOptions {
  /** Report interval in ms (whole seconds, at least 1 s). */
  interval: number;
  /** Alert window in ms (whole seconds, at least 1 s). */
  window: number;
  /** Alert above this many req/s over the window; no alert when undefined. */
  threshold?: number;
  /** Entries in each top list. */
  top: number;
  /** How much later than the newest line (ms of event time) a line may come and still count. */
  lateness: number;
  /** Live: event time also advances with the clock when the log is quiet. Replay: only with the log. */
  live: boolean;
  /** Distinct sections and hosts counted exactly per interval (memory bound); default 1000. */
  capacity?: number;
  /** How an interval's counts are made (tests compare implementations); IntervalCounts by default. */
  newCounts?: (capacity: number) => IntervalTally;
  onReport(report: StatsReport): void;
  onAlert(alert: TrafficAlert): void;
}

export interface TrafficState {
  /** Event time (ms) up to which windows and intervals are final; undefined before the first line (replay). */
  watermark: number | undefined;
  window: { seconds: number; hits: number; rate: number };
  firing: boolean;
  totals: { hits: number; invalid: number; late: number };
}

export interface TrafficAnalyzer {
  /** Count one parsed hit; hit.time must be finite. The object is not kept. */
  add(hit: RequestHit): void;
  /** Count lines that were not valid for the format. */
  invalid(count?: number): void;
  /** Live: advance event time with the clock now (also runs every second by itself). */
  tick(): void;
  /** End of input: close every window and interval the log reached, ignoring lateness. */
  finish(): void;
  state(): TrafficState;
  stop(): void;
}

export const DEFAULT_CAPACITY = 1000;
/** Cleared counts kept for reuse: a few intervals are open at a time (more only with a long lateness). */
const SPARE_COUNTS = 4;

export function highTrafficMessage(hits: number, at: number): string {
  return `High traffic generated an alert - hits = ${hits}, triggered at ${new Date(at).toISOString()}`;
}

export function recoveredMessage(at: number): string {
  return `Recovered from high traffic at ${new Date(at).toISOString()}`;
}

export function createTrafficAnalyzer(options: TrafficOptions, clock: Clock): TrafficAnalyzer {
  return new Analyzer(options, clock);
}

const wholeSeconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

class Analyzer implements TrafficAnalyzer {
  private readonly interval: number;
  private readonly windowSeconds: number;
  private readonly lateness: number;
  private readonly capacity: number;
  private readonly newCounts: (capacity: number) => IntervalTally;
  private readonly window: SecondWindow;
  private readonly open = new Map<number, IntervalTally>();
  /** Counts of closed intervals, cleared, for the next ones (their top-K memory is reused, not garbage). */
  private readonly spare: IntervalTally[] = [];
  private anchored = false;
  /** First reported instant: no report starts before it. */
  private origin = 0;
  /** Start of the interval of the line that anchored the axis: an earlier one is reported only when not empty. */
  private firstStart = 0;
  private maxTime = -Infinity;
  /** Clock time when maxTime last grew: the base for advancing event time while the log is quiet. */
  private wallAtMax = 0;
  private countedSinceAnchor = 0;
  private firing = false;
  private pendingInvalid = 0;
  private pendingLate = 0;
  private readonly totals = { hits: 0, invalid: 0, late: 0 };
  /** End of the latest reported interval, so a jump never reports one twice. */
  private closedThrough = -Infinity;
  /** Where the last jump over a quiet stretch landed: the interval it lands in is not reported empty. */
  private skippedTo = -Infinity;
  private lastStart = NaN;
  private lastCounts: IntervalTally | undefined;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly options: TrafficOptions,
    private readonly clock: Clock,
  ) {
    this.interval = wholeSeconds(options.interval) * 1000;
    this.windowSeconds = wholeSeconds(options.window);
    this.lateness = Math.max(0, options.lateness);
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.newCounts = options.newCounts ?? ((capacity) => new IntervalCounts(capacity));
    this.window = new SecondWindow(this.windowSeconds, Math.ceil(this.lateness / 1000) + 2);
    if (options.live) {
      this.anchor(clock.now());
      this.schedule();
    }
  }

  add(hit: RequestHit): void {
    const time = hit.time;
    if (!Number.isFinite(time)) return this.invalid();
    if (!this.anchored) this.anchor(time);
    let second = Math.floor(time / 1000);
    if (second < this.window.done) {
      // Nothing counted yet (live start on a log with older times): start over from this line.
      if (this.countedSinceAnchor > 0) return this.countLate();
      this.anchor(time);
      second = Math.floor(time / 1000);
    }
    if (time > this.maxTime) {
      this.maxTime = time;
      if (this.options.live) this.wallAtMax = this.clock.now();
      this.advance(Math.floor((time - this.lateness) / 1000));
    }
    this.window.add(second);
    this.countsFor(time).add(hit);
    this.countedSinceAnchor++;
    this.totals.hits++;
  }

  invalid(count = 1): void {
    this.pendingInvalid += count;
    this.totals.invalid += count;
  }

  tick(): void {
    if (!this.options.live || !this.anchored || this.stopped) return;
    const estimate = this.maxTime + (this.clock.now() - this.wallAtMax);
    this.advance(Math.floor((estimate - this.lateness) / 1000));
  }

  finish(): void {
    if (!this.anchored || this.maxTime === -Infinity) return;
    this.advance(Math.floor(this.maxTime / 1000) + 1);
    const end = this.window.done * 1000;
    for (const start of [...this.open.keys()].sort((a, b) => a - b))
      this.close(start, Math.min(start + this.interval, end), true);
  }

  state(): TrafficState {
    return {
      watermark: this.anchored ? this.window.done * 1000 : undefined,
      window: { seconds: this.windowSeconds, hits: this.window.sum, rate: round(this.window.sum / this.windowSeconds) },
      firing: this.firing,
      totals: { ...this.totals },
    };
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.tick();
      if (!this.stopped) this.schedule();
    }, 1000);
  }

  /**
   * Start the event-time axis at `time`, allowing the whole lateness before it, even before its interval: a line in
   * an earlier interval is reported there (an interval before the first one only when it holds something).
   */
  private anchor(time: number): void {
    this.firstStart = Math.floor(time / this.interval) * this.interval;
    const done = Math.floor((time - this.lateness) / 1000);
    this.window.reset(done);
    for (const counts of this.open.values()) this.recycle(counts);
    this.open.clear();
    this.lastCounts = undefined;
    this.lastStart = NaN;
    this.origin = done * 1000;
    this.maxTime = time;
    this.wallAtMax = this.clock.now();
    this.countedSinceAnchor = 0;
    this.closedThrough = -Infinity;
    this.firing = false;
    this.anchored = true;
  }

  private countLate(): void {
    this.pendingLate++;
    this.totals.late++;
  }

  private countsFor(time: number): IntervalTally {
    if (time >= this.lastStart && time < this.lastStart + this.interval && this.lastCounts) return this.lastCounts;
    const start = Math.floor(time / this.interval) * this.interval;
    let counts = this.open.get(start);
    if (!counts) this.open.set(start, (counts = this.spare.pop() ?? this.newCounts(this.capacity)));
    this.lastStart = start;
    this.lastCounts = counts;
    return counts;
  }

  /** Make every second before `target` final: slide the window, evaluate the alert, close intervals. */
  private advance(target: number): void {
    while (this.window.done < target) {
      if (this.window.idle() && !this.firing) return this.jump(target);
      this.window.step();
      this.evaluate();
      const boundary = this.window.done * 1000;
      if (boundary % this.interval === 0) this.close(boundary - this.interval, boundary, true);
    }
  }

  /** Skip a quiet stretch at once: report the intervals that hold something, and in live mode the latest one. */
  private jump(target: number): void {
    this.window.jump(target);
    this.skippedTo = target * 1000;
    const boundary = target * 1000;
    const lastEnd = Math.floor(boundary / this.interval) * this.interval;
    for (const start of [...this.open.keys()].sort((a, b) => a - b)) {
      if (start + this.interval <= lastEnd) this.close(start, start + this.interval, false);
    }
    if (this.options.live && lastEnd > this.origin && lastEnd > this.closedThrough)
      this.close(lastEnd - this.interval, lastEnd, true);
  }

  private evaluate(): void {
    const threshold = this.options.threshold;
    if (threshold === undefined) return;
    const hits = this.window.sum;
    const over = hits > threshold * this.windowSeconds;
    if (over === this.firing) return;
    this.firing = over;
    const at = this.window.done * 1000;
    const rate = round(hits / this.windowSeconds);
    const message = over ? highTrafficMessage(hits, at) : recoveredMessage(at);
    this.options.onAlert({ state: over ? "firing" : "recovered", at, hits, rate, message });
  }

  /** Report the interval starting at `start` (up to `to`); an empty one only when `emitEmpty`. */
  private close(start: number, to: number, emitEmpty: boolean): void {
    const counts = this.open.get(start);
    this.open.delete(start);
    this.closedThrough = Math.max(this.closedThrough, to);
    if (counts === this.lastCounts) this.lastCounts = undefined;
    // Before the first line's interval only late lines are reported; invalid ones wait for the next report.
    if (!counts && start < this.firstStart) return;
    const quiet = !emitEmpty || (start < this.skippedTo && !this.options.live);
    if (!counts && quiet && this.pendingInvalid === 0 && this.pendingLate === 0) return;
    const report = buildReport(counts, {
      from: Math.max(start, this.origin),
      to,
      top: this.options.top,
      invalid: this.pendingInvalid,
      late: this.pendingLate,
      window: { seconds: this.windowSeconds, hits: this.window.sum },
      threshold: this.options.threshold,
      firing: this.firing,
    });
    this.pendingInvalid = 0;
    this.pendingLate = 0;
    if (counts) this.recycle(counts);
    this.options.onReport(report);
  }

  private recycle(counts: IntervalTally): void {
    counts.clear();
    if (this.spare.length < SPARE_COUNTS) this.spare.push(counts);
  }
}
