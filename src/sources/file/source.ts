// FileSource: the reading loop — one serial worker per source that discovers, checks, reads and emits batches.
import type { Source, SourceContext } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import { parsePattern } from "../../core/pattern.js";
import { drainDeleted } from "./deleted.js";
import { PathMatcher } from "./discover.js";
import { FileSet } from "./files.js";
import type { RawLine } from "./lines.js";
import { FileMetrics } from "./metrics.js";
import { type Needle, NeedleCache } from "./needle.js";
import type { FileSourceConfig } from "./schema.js";
import { REWRITTEN, type Tailer } from "./tailer.js";
import { emitRead, handOver, type EmitLines } from "./emit-read.js";
import { WorkQueue } from "./queue.js";
import { Repeaters } from "./timing.js";
import { within } from "../../core/lifetime.js";
import { DirWatchers, joinName } from "./watch.js";

/** Open files are stat'ed at least this often, whatever `rescan` says. */
const MAX_SWEEP_MS = 1000;
/** Reads per file before the loop looks at other files and events. */
const READS_PER_TURN = 4;
/** How long stop() waits for the batch being handed over and for in-flight acknowledgements. */
const STOP_WAIT_MS = 2000;
/** How long stop() spends reading files deleted while open (their last chance to be read). */
const DRAIN_DELETED_MS = 10_000;

export class FileSource implements Source {
  private readonly set: FileSet;
  private readonly watchers: DirWatchers;
  private readonly queue = new WorkQueue<Tailer>();
  /** Files present at start, and the size they had: caughtUp resolves once all are read that far. */
  private readonly targets = new Map<Tailer, number>();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly repeaters: Repeaters;
  private idleWaiters: (() => void)[] = [];
  /** The reading loop has finished (stopped, or --once done). */
  private ended = false;
  private resolveCaught!: () => void;
  private readonly caught = new Promise<void>((resolve) => (this.resolveCaught = resolve));
  private readonly needleCache = new NeedleCache();

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    const matcher = new PathMatcher(config.path, config.exclude ?? [], config.recursive, config.follow_symlinks);
    const multiline = config.multiline
      ? { start: parsePattern(config.multiline.start), timeoutMs: config.multiline.timeout }
      : undefined;
    this.set = new FileSet(
      {
        name: ctx.name,
        config,
        matcher,
        lineOptions: {
          maxLineBytes: config.max_line_bytes,
          multiline,
          ...(ctx.lineJoiner ? { join: () => ctx.lineJoiner!(config.max_line_bytes) } : {}),
        },
        clock: ctx.clock,
        logger: ctx.logger,
        metrics: new FileMetrics(ctx.metrics, ctx.name),
        checkpoints: ctx.checkpoints,
      },
      {
        emit: async (t, lines) => void (await this.emitLines(t, lines, t.committable)),
        markDirty: (t) => this.markDirty(t),
        closed: (t) => this.forget(t),
        requestRescan: () => this.request("rescan"),
      },
    );
    this.repeaters = new Repeaters(ctx.clock);
    this.watchers = new DirWatchers((dir, name, renamed) => this.onWatch(dir, name, renamed), ctx.logger);
  }

  async start(): Promise<void> {
    await this.set.startup();
    // The run marker and every file found are on disk before anything is read: a kill -9 within the autosave delay
    // must not make the next run a first run (start_at would apply again and skip what was written meanwhile).
    await this.set.state.saveIdentities();
    for (const t of this.set.tailers.values()) this.targets.set(t, t.size);
    if (!this.ctx.once) {
      this.syncWatches();
      this.repeaters.every(Math.min(MAX_SWEEP_MS, this.config.rescan), () => this.request("sweep"));
      this.repeaters.every(this.config.rescan, () => this.request("rescan"));
    }
    this.running = this.loop();
  }

  caughtUp(): Promise<void> {
    return this.caught;
  }

  /** SIGHUP: stat every open file and evaluate the paths again, now. */
  reopen(): void {
    this.queue.sweep(true);
    this.queue.rescan();
    this.wake();
  }

  /** Stat every open file and evaluate the paths now; resolves once that and the reading it causes are done. */
  settle(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.reopen();
    });
  }

  /** Resolves once the loop has done what is due and waits for more (tests that drive a FakeClock await this). */
  idle(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.repeaters.cancelAll();
    this.watchers.closeAll();
    this.set.options.metrics.watchedDirs(0);
    this.wake();
    if (this.running) await within(this.ctx.clock, STOP_WAIT_MS, this.running);
    // Only once the loop has ended: nothing else reads the files meanwhile.
    if (this.ended) await within(this.ctx.clock, DRAIN_DELETED_MS + STOP_WAIT_MS, this.drainDeleted());
    const pending = [...this.set.tailers.values()].map((t) => t.acks);
    await this.set.closeAll();
    await within(this.ctx.clock, STOP_WAIT_MS, Promise.all(pending.map((acks) => acks.whenIdle())));
    try {
      await this.ctx.checkpoints.flush();
    } catch (err) {
      this.ctx.logger.error({ err: describeError(err) }, "could not save checkpoints at stop");
    }
  }

  private drainDeleted(): Promise<void> {
    const { clock, logger } = this.ctx;
    const hooks = {
      emit: this.emitSlice,
      slice: this.sliceLines,
      clock,
      logger,
      metrics: this.set.options.metrics,
    };
    return drainDeleted(this.set.tailers.values(), hooks, clock.now() + DRAIN_DELETED_MS);
  }

  private async loop(): Promise<void> {
    try {
      await this.work();
    } finally {
      this.ended = true;
      for (const settled of this.idleWaiters.splice(0)) settled();
    }
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        worked = await this.step();
      } catch (err) {
        this.ctx.logger.error({ err: describeError(err) }, "file source error; continuing");
      }
      if (worked || this.stopping) continue;
      if (this.ctx.once) return this.finishOnce();
      if (this.targets.size === 0) this.resolveCaught();
      for (const settled of this.idleWaiters.splice(0)) settled();
      await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
  }

  /** Do one piece of pending work; false when there is none. */
  private async step(): Promise<boolean> {
    const task = this.queue.next();
    if (!task) return false;
    switch (task.kind) {
      case "rescan":
        await this.set.rescan();
        if (!this.stopping) this.syncWatches();
        break;
      case "paths":
        for (const [p, renamed] of task.paths) await this.set.checkPath(p, renamed);
        break;
      case "sweep":
        await this.set.sweep(task.all, (dir) => this.watchers.watching(dir));
        break;
      case "flush":
        if (task.file.handle) await this.emitLines(task.file, task.file.flushMultiline(), task.file.committable);
        break;
      case "read":
        // More to read: back of the queue, so other files get their turn.
        if (await this.pump(task.file)) this.queue.read(task.file);
        break;
    }
    return true;
  }

  /** Read and emit a few chunks of one file; true when it may have more. */
  private async pump(t: Tailer): Promise<boolean> {
    for (let i = 0; i < READS_PER_TURN; i++) {
      if (this.stopping || !t.handle || this.set.tailers.get(t.key) !== t) return false;
      let bytes: number | undefined | typeof REWRITTEN;
      try {
        // Read ahead when this file is read again next: within its turn, or when no other file waits.
        bytes = await t.read(this.needles(), i < READS_PER_TURN - 1 || this.queue.readsWaiting === 0);
      } catch (err) {
        this.ctx.logger.warn({ file: t.path, err: describeError(err) }, "read failed; will retry");
        return false;
      }
      if (bytes === undefined) {
        this.targets.delete(t);
        return false;
      }
      if (bytes === REWRITTEN) {
        await this.set.rewritten(t);
        return false;
      }
      if (!(await emitRead(t, bytes, this.sliceLines, this.emitSlice, this.set.options.metrics))) return false;
      this.armMultiline(t);
      if ((this.targets.get(t) ?? Infinity) <= t.readPos) this.targets.delete(t);
      // Following: read up to what the last stat saw. Bytes written since raise a watch event of their own (or
      // are found by the sweep), so the read that would only confirm the end of the file is not made.
      if (!this.ctx.once && !t.behind) return false;
    }
    return true;
  }

  /** Lines of a read handed over at a time: what the pipeline evaluates at once, else the whole read. */
  private get sliceLines(): number {
    return this.ctx.batchRecords ?? Infinity;
  }
  private readonly emitSlice: EmitLines = (t, lines, rewindTo) => this.emitLines(t, lines, rewindTo);

  private emitLines(t: Tailer, lines: RawLine[], rewindTo: number): Promise<boolean> {
    return handOver(t, lines, rewindTo, this.ctx, this.set.state);
  }

  /** The pipeline's prefilter literals as bytes, or undefined when it wants every line. */
  private needles(): Needle[] | undefined {
    return this.needleCache.of(this.ctx.wanted?.());
  }

  private armMultiline(t: Tailer): void {
    const multiline = this.set.options.lineOptions.multiline;
    if (!multiline) return;
    if (!t.eventOpen) return t.setMultilineTimer(undefined);
    const timer = this.ctx.clock.setTimeout(() => {
      this.queue.flush(t);
      this.wake();
    }, multiline.timeoutMs);
    t.setMultilineTimer(timer);
  }

  /**
   * --once: close open multiline events (their lines are complete); a rotated file quiet for rotate_wait is done,
   * so its unfinished last line is emitted too. Then report caught up.
   */
  private async finishOnce(): Promise<void> {
    for (const t of this.set.tailers.values()) {
      const finished = t.detached !== undefined && this.ctx.clock.now() - t.mtimeMs >= this.config.rotate_wait;
      if (finished && t.holding) await this.emitLines(t, t.flushAll(), t.committable);
      else if (t.eventOpen) await this.emitLines(t, t.flushMultiline(), t.committable);
    }
    this.resolveCaught();
  }

  /** Watch the directories the last discovery found (one inotify watch each, none per file). */
  private syncWatches(): void {
    const added = this.watchers.sync(this.set.lastDiscovery?.dirs ?? new Set());
    this.set.options.metrics.watchedDirs(this.watchers.count);
    if (added > 0) {
      // A file made between the listing and the watch raised no event, nor did one that grew after its stat.
      this.request("rescan");
      this.request("sweep");
    }
  }

  private onWatch(dir: string, name: string | undefined, renamed: boolean): void {
    if (name === undefined) this.queue.rescan();
    else this.queue.path(joinName(dir, name), renamed);
    this.wake();
  }

  private request(what: "sweep" | "rescan"): void {
    if (what === "sweep") this.queue.sweep();
    else this.queue.rescan();
    this.wake();
  }

  private markDirty(t: Tailer): void {
    this.queue.read(t);
    this.wake();
  }

  private forget(t: Tailer): void {
    this.queue.forget(t);
    this.targets.delete(t);
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }
}
