// The daemon side of rotation: a pass per job at start, on each check_every sweep, when max_age falls due,
// and within about a second of max_size being passed (fs.watch on the files' folders).
import { watch, promises as fsp, type FSWatcher } from "node:fs";
import path from "node:path";
import type { Clock, Timer } from "../core/clock.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { RotateJobConfig } from "./schema.js";
import type { RotatePlan } from "./plan.js";
import { runJobPass, type PassOptions } from "./run.js";
import { RotateState } from "./state.js";
import { looksLikeArchive, TEMP_SUFFIX } from "./naming.js";

export type { RotatePlan, PlannedAction } from "./plan.js";

export interface RotateContext {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  stateDir: string;
  /**
   * Lets tailers read a rotated file to its end: rename calls it with the rotated file's path before it is
   * compressed or moved; copytruncate with the file's path before truncating, and again after (the copy is
   * still beside the file then, for a tailer to read what it missed).
   */
  beforeRelease?: (path: string) => Promise<void>;
  /**
   * Called once a fresh file is at `path` (rename: the new empty file was created; copytruncate: truncated),
   * before post_rotate: a writer in this process (logward's own log) reopens it here.
   */
  afterRotate?: (path: string) => Promise<void>;
}

export interface RotateScheduler {
  /**
   * The start-up pass of every job (it also recovers from a crash), then the timers and watchers. `signal`
   * interrupts that pass between steps or inside a compression (temp files removed, locks released) and
   * start() then resolves; the next pass resumes where it stopped.
   */
  start(signal?: AbortSignal): Promise<void>;
  runOnce(opts: PassOptions, signal?: AbortSignal): Promise<RotatePlan[]>;
  /** Interrupts a running pass the same way, and ends the timers and watchers. */
  stop(): Promise<void>;
}

/** Coalesce bursts of fs.watch events (every write is one) into one size check. */
const WATCH_DEBOUNCE_MS = 200;

class JobRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private triggered = false;
  private sweep: Timer | undefined;
  private debounce: Timer | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Timers and watchers run only in the daemon (after start), not for one-off runOnce passes. */
  live = false;

  constructor(
    private readonly name: string,
    private readonly job: RotateJobConfig,
    private readonly ctx: RotateContext,
    private readonly state: RotateState,
    private readonly warned: Set<string>,
  ) {}

  /** Queue a pass after any running one (passes of one job never overlap). */
  run(opts: PassOptions, signal?: AbortSignal): Promise<RotatePlan[]> {
    const next = this.chain.then(() => this.pass(opts, signal));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A pass from a watch event or timer; several triggers while one is queued make one pass. */
  trigger(): void {
    if (this.triggered || this.stopped) return;
    this.triggered = true;
    void this.run({ dryRun: false, force: false }).catch((err: unknown) => {
      this.ctx.logger.error({ job: this.name, err: describeError(err) }, "rotate pass failed");
    });
  }

  private async pass(opts: PassOptions, signal?: AbortSignal): Promise<RotatePlan[]> {
    if (!opts.dryRun) this.triggered = false;
    let result: Awaited<ReturnType<typeof runJobPass>> | undefined;
    const stopOrSignal = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    try {
      const deps = { ...this.ctx, state: this.state, signal: stopOrSignal, warned: this.warned };
      result = await runJobPass(this.name, this.job, opts, deps);
      return result.plans;
    } finally {
      // Even after a failed pass the sweep goes on: the next one retries.
      if (!opts.dryRun && this.live && !this.stopped) {
        if (result) this.files = new Set(result.files);
        if (result) this.syncWatchers(result.dirs);
        this.scheduleSweep(result?.dueInMs);
      }
    }
  }

  private scheduleSweep(dueInMs: number | undefined): void {
    this.sweep?.cancel();
    // A little past the due time, so the age has surely been reached when the pass looks.
    const delay = Math.min(this.job.check_every, dueInMs === undefined ? Infinity : dueInMs + 10);
    this.sweep = this.ctx.clock.setTimeout(() => this.trigger(), delay);
  }

  /** Watch the folders of the job's files, only when max_size needs a prompt reaction. */
  private syncWatchers(dirs: string[]): void {
    if (this.job.max_size === undefined) return;
    for (const [dir, watcher] of this.watchers) {
      if (!dirs.includes(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, filename) =>
          this.onEvent(dir, filename?.toString()),
        );
        watcher.on("error", () => {
          watcher.close();
          this.watchers.delete(dir); // re-added by the next pass if the folder comes back
        });
        this.watchers.set(dir, watcher);
      } catch (err) {
        this.ctx.logger.debug(
          { job: this.name, dir, err: describeError(err) },
          "cannot watch folder; relying on check_every",
        );
      }
    }
  }

  private onEvent(dir: string, filename: string | undefined): void {
    if (this.stopped || this.debounce) return;
    if (filename && (filename.startsWith(".") || looksLikeArchive(filename) || filename.endsWith(TEMP_SUFFIX))) return;
    const known = filename === undefined || this.files.has(path.join(dir, filename));
    this.debounce = this.ctx.clock.setTimeout(() => {
      this.debounce = undefined;
      if (known) void this.checkSizes();
      else this.trigger(); // a new file in a watched folder: a pass picks it up (glob)
    }, WATCH_DEBOUNCE_MS);
  }

  private async checkSizes(): Promise<void> {
    const max = this.job.max_size;
    if (max === undefined) return;
    for (const file of this.files) {
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && st.size >= max) return this.trigger();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.sweep?.cancel();
    this.debounce?.cancel();
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.chain;
  }
}

/** Rotation for the daemon (start/stop) and for `logward rotate` (runOnce). */
export function createRotateScheduler(jobs: Record<string, RotateJobConfig>, ctx: RotateContext): RotateScheduler {
  const state = new RotateState(ctx.stateDir);
  const warned = new Set<string>();
  const runners = Object.entries(jobs).map(([name, job]) => new JobRunner(name, job, ctx, state, warned));
  const runAll = async (opts: PassOptions, signal?: AbortSignal): Promise<RotatePlan[]> => {
    const plans: RotatePlan[] = [];
    for (const runner of runners) {
      if (signal?.aborted) break;
      plans.push(...(await runner.run(opts, signal)));
    }
    return plans;
  };
  return {
    // The first pass also recovers from a crash (temp files, interrupted compressions) and starts the timers.
    start: async (signal?: AbortSignal) => {
      for (const runner of runners) runner.live = true;
      await runAll({ dryRun: false, force: false }, signal);
    },
    runOnce: runAll,
    stop: async () => void (await Promise.all(runners.map((r) => r.stop()))),
  };
}
