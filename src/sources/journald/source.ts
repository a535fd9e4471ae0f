// The journald source: entries read through a `journalctl -o json` child, its cursor the checkpoint (exactly once).
import type { Source, SourceContext } from "../../core/component.js";
import { describeError, LogwardError, UserError } from "../../core/errors.js";
import { within } from "../../core/lifetime.js";
import { CountingAck, type LogRecord } from "../../core/record.js";
import { Sleeper } from "../../core/sleeper.js";
import { SerialRunner } from "../../core/serial.js";
import type { RawLine } from "../lines/index.js";
import { journalKey, readArgs, tailArgs } from "./args.js";
import { JournalctlChild, runToEnd, type ChildExit } from "./child.js";
import { CursorCommits } from "./commits.js";
import { parseEntry, type EntryLimits } from "./entry.js";
import type { JournaldSourceConfig } from "./schema.js";

/** How long stop() waits for the child to end, for the batch in hand to be accepted, for acks. */
const STOP_WAIT_MS = 2000;
const ACK_GRACE_MS = 4000;
const PROBE_TIMEOUT_MS = 30_000;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A run that lasted this long was healthy: the next restart waits the minimum again. */
const HEALTHY_RUN_MS = 60_000;
const CURSOR_LINE = "-- cursor: ";
/** Chunks of a run's stderr logged as they come (the rest only in the exit's message). */
const STDERR_LOGGED = 20;

/** A read entry and the cursor after it. */
interface Item {
  record: LogRecord;
  cursor: string;
}

export class JournaldSource implements Source {
  private child: JournalctlChild | undefined;
  private readonly buffer: Item[] = [];
  /** Cursor of the last entry read from journalctl: a restarted child resumes after it. */
  private readCursor: string | undefined;
  /** Emits what is buffered, one batch at a time (backpressure). */
  private readonly flusher = new SerialRunner(() => this.emitBuffered());
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly commits: CursorCommits;
  private readonly sleeper: Sleeper;
  private readonly limits: EntryLimits;
  private readonly labels: { source: string };
  private readonly metrics;
  private resolveCaught!: () => void;
  private rejectCaught!: (err: unknown) => void;
  private readonly caught = new Promise<void>((resolve, reject) => {
    this.resolveCaught = resolve;
    this.rejectCaught = reject;
  });

  constructor(
    private readonly config: JournaldSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    this.caught.catch(() => {}); // read by caughtUp(), if anyone asks
    this.sleeper = new Sleeper(ctx.clock);
    this.labels = { source: ctx.name };
    this.limits = {
      maxLineBytes: config.max_line_bytes,
      maxFields: config.max_fields,
      maxFieldBytes: config.max_field_bytes,
    };
    this.commits = new CursorCommits(ctx.checkpoints, ctx.name, journalKey(config));
    const m = ctx.metrics;
    this.metrics = {
      entries: m.counter("journald_entries_total", "Journal entries read", ["source"]),
      restarts: m.counter("journald_restarts_total", "Times journalctl ended and was started again", ["source"]),
      dropped: m.counter("journald_fields_dropped_total", "Journal fields left out or cut by the limits", ["source"]),
      unreadable: m.counter("journald_unreadable_total", "journalctl output lines that were not entries", ["source"]),
    };
  }

  async start(): Promise<void> {
    let cursor = this.commits.saved;
    // Always asked: a missing journalctl is an error now, not a restart loop later.
    const tail = await this.tailCursor(cursor === undefined && this.config.start_at === "end");
    if (cursor === undefined && this.config.start_at === "end") {
      // "" (an empty journal) is its start. A restart before the first entry must still begin here.
      cursor = tail ?? "";
      this.commits.begin(cursor);
    }
    this.readCursor = cursor;
    this.running = this.run();
  }

  caughtUp(): Promise<void> {
    return this.ctx.once ? this.caught : Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sleeper.wakeAll();
    this.child?.kill();
    await within(this.ctx.clock, STOP_WAIT_MS, Promise.all([this.running, this.flusher.idle()]));
    await within(this.ctx.clock, ACK_GRACE_MS, this.commits.idle());
    this.resolveCaught();
    try {
      await this.ctx.checkpoints.flush();
    } catch (err) {
      this.ctx.logger.error({ err: describeError(err) }, "could not save checkpoints at stop");
    }
  }

  /** The cursor of the journal's last entry now (undefined when it is empty); a missing journalctl fails here. */
  /** With needed, any failure of journalctl is an error (the cursor is where reading starts); else only its absence. */
  private async tailCursor(needed: boolean): Promise<string | undefined> {
    const { lines, exit } = await runToEnd(this.config.journalctl, tailArgs(this.config), PROBE_TIMEOUT_MS);
    this.failOnMissing(exit);
    // An empty journal makes journalctl exit with 1 without a word; anything else it explains on stderr.
    const failed = exit.code !== 0 && (exit.code !== 1 || exit.stderr !== "");
    if (failed && needed) throw this.runFailed(exit);
    const last = lines.findLast((line) => line.startsWith(CURSOR_LINE));
    return last?.slice(CURSOR_LINE.length);
  }

  private failOnMissing(exit: ChildExit): void {
    if (exit.error?.code === "ENOENT" || exit.error?.code === "EACCES")
      throw new UserError(
        "SOURCE_FAILED",
        `journald source ${this.ctx.name}: cannot run "${this.config.journalctl}" (${exit.error.code}): ` +
          "install systemd's journalctl, or set `journalctl:` to its path",
        { cause: exit.error },
      );
  }

  private runFailed(exit: ChildExit): LogwardError {
    const how = exit.error
      ? `could not be run (${describeError(exit.error)})`
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code}`;
    return new LogwardError(
      "SOURCE_FAILED",
      `journald source ${this.ctx.name}: journalctl ${how}${exit.stderr ? `: ${exit.stderr}` : ""}`,
      { cause: exit.error },
    );
  }

  /** Run journalctl; following, start it again (with backoff, resuming after the last entry read) when it ends. */
  private async run(): Promise<void> {
    let delay = RESTART_MIN_MS;
    while (!this.stopped) {
      const startedAt = this.ctx.clock.now();
      const exit = await this.runOnce();
      if (this.stopped) return;
      if (this.ctx.once) return this.finishOnce(exit);
      if (this.ctx.clock.now() - startedAt >= HEALTHY_RUN_MS) delay = RESTART_MIN_MS;
      this.metrics.restarts.inc(this.labels);
      this.ctx.logger.warn(
        { err: this.runFailed(exit).message, retry_ms: delay },
        "journalctl ended; starting it again after the last entry read",
      );
      await this.sleeper.sleep(delay);
      delay = Math.min(delay * 2, RESTART_MAX_MS);
    }
  }

  private async runOnce(): Promise<ChildExit> {
    const args = readArgs(this.config, { cursor: this.readCursor, follow: !this.ctx.once });
    const maxBytes = 4 * (this.config.max_line_bytes + this.config.max_field_bytes) + 64 * 1024;
    // What journalctl says while it runs (no permission for the system journal, a damaged file) is said at once.
    let said = 0;
    const onStderr = (text: string) => {
      if (said++ < STDERR_LOGGED) this.ctx.logger.warn({ stderr: text.trim() }, "journalctl wrote to stderr");
    };
    const child = new JournalctlChild(this.config.journalctl, args, maxBytes, (lines) => this.take(lines), onStderr);
    this.child = child;
    const exit = await child.exited;
    this.child = undefined;
    return exit;
  }

  /** --once: the run read everything there was; caught up once it is all emitted. */
  private async finishOnce(exit: ChildExit): Promise<void> {
    try {
      this.failOnMissing(exit);
      if (exit.code !== 0) throw this.runFailed(exit);
      await this.flusher.run();
      this.resolveCaught();
    } catch (err) {
      this.rejectCaught(err);
    }
  }

  private take(lines: RawLine[]): void {
    const now = this.ctx.clock.now();
    for (const line of lines) {
      const item = this.item(line, now);
      if (!item) continue;
      this.buffer.push(item);
      this.readCursor = item.cursor;
    }
    if (this.buffer.length >= 2 * this.config.batch) this.child?.pause();
    this.flusher.schedule();
  }

  private item(line: RawLine, now: number): Item | undefined {
    const entry = parseEntry(line.text, this.ctx.name, now, this.limits);
    if (entry) {
      this.metrics.entries.inc(this.labels);
      if (entry.dropped > 0) this.metrics.dropped.inc(this.labels, entry.dropped);
      return { record: entry.record, cursor: entry.cursor };
    }
    this.metrics.unreadable.inc(this.labels);
    // An entry longer than the line limit: keep its place (the cursor) and say so in its stead.
    const cursor = line.cut > 0 ? /"__CURSOR":"([^"]+)"/.exec(line.text)?.[1] : undefined;
    if (cursor === undefined) return undefined;
    const text = `[journal entry of ${line.bytes} bytes, more than this source reads]`;
    return { cursor, record: { source: this.ctx.name, line: text, time: now, fields: {} } };
  }

  private async emitBuffered(): Promise<void> {
    while (this.buffer.length > 0 && !this.stopped) {
      const items = this.buffer.splice(0, this.config.batch);
      const records = items.map((item) => item.record);
      if (this.buffer.length < this.config.batch) this.child?.resume();
      // Counted as pending once accepted (batches are accepted in order); done() cannot come before releaseInitial.
      let pending: { done(): void } | undefined;
      const ack = new CountingAck(() => pending?.done());
      try {
        await this.ctx.emit({ source: this.ctx.name, records, ack });
        pending = this.commits.add(items.at(-1)!.cursor, records.length);
        ack.releaseInitial();
      } catch (err) {
        // Never committed, nor anything after them: a restart reads these entries again.
        this.commits.stall();
        this.ctx.logger.error({ err: describeError(err), entries: records.length }, "journal batch not accepted");
      }
    }
  }
}
