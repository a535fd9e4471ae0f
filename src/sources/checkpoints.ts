// FileCheckpointStore: checkpoints in state_dir/checkpoints.json (previous save kept as .prev), atomic, retried.
import { makeDirs } from "../core/mkdirs.js";
import fs from "node:fs";
import path from "node:path";
import { MemoryCheckpointStore, type Checkpoint, type CheckpointStore } from "../core/checkpoint.js";
import { systemClock, type Clock, type Timer } from "../core/clock.js";
import { describeError, LogwardError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import { readSlot, serialise, type BadEntry, type Slot, type StoredSources } from "./checkpoint-slots.js";

const FILE_NAME = "checkpoints.json";
/** A `set` reaches the disk within this long, so a crash loses at most ~1 s of progress (re-read, not lost). */
const AUTOSAVE_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface FileCheckpointStoreOptions {
  logger: Logger;
  metrics: Metrics;
  clock?: Clock;
}

export class FileCheckpointStore extends MemoryCheckpointStore implements CheckpointStore {
  readonly file: string;
  /** The previous good save, used when the main file is found damaged. */
  readonly prevFile: string;
  /** Whether the main file holds a save known good (then it becomes .prev before the next save). */
  private mainGood = false;
  private dirty = false;
  private timer: Timer | undefined;
  private saving: Promise<void> = Promise.resolve();
  private retryMs = AUTOSAVE_MS;
  private closed = false;

  private constructor(
    readonly stateDir: string,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {
    super();
    this.file = path.join(stateDir, FILE_NAME);
    this.prevFile = `${this.file}.prev`;
  }

  /** Open (or create) the store in stateDir; a corrupt file is moved aside and its previous copy used, loudly. */
  static async open(stateDir: string, opts: FileCheckpointStoreOptions): Promise<FileCheckpointStore> {
    const store = new FileCheckpointStore(stateDir, opts.logger, opts.metrics, opts.clock ?? systemClock);
    try {
      await makeDirs(stateDir);
    } catch (err) {
      throw new LogwardError("CHECKPOINT_FAILED", `cannot create state directory ${stateDir}: ${describeError(err)}`, {
        cause: err,
      });
    }
    await store.load();
    return store;
  }

  override set(source: string, key: string, checkpoint: Checkpoint): void {
    super.set(source, key, checkpoint);
    this.markDirty();
  }

  override delete(source: string, key: string): void {
    if (!this.data.get(source)?.has(key)) return;
    super.delete(source, key);
    this.markDirty();
  }

  /** Write now if anything changed; resolves once the write is durable (rejects if it failed; it is still retried). */
  override async flush(): Promise<void> {
    this.cancelTimer();
    const run = this.saving.then(() => this.saveIfDirty());
    this.saving = run.catch(() => {});
    await run;
  }

  /** Flush and stop autosaving. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
    } finally {
      this.cancelTimer();
    }
  }

  private markDirty(): void {
    this.dirty = true;
    if (!this.timer && !this.closed) this.schedule(AUTOSAVE_MS);
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => {}); // already logged and counted; the retry is scheduled
    }, ms);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async saveIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const text = serialise(this.snapshot());
    try {
      await this.write(text);
      this.metrics.counter("checkpoint_writes_total", "Checkpoint files written").inc();
      this.retryMs = AUTOSAVE_MS;
    } catch (err) {
      this.dirty = true;
      this.metrics.counter("checkpoint_write_failures_total", "Checkpoint writes that failed (retried)").inc();
      this.logger.error(
        { file: this.file, err: describeError(err), retryInMs: this.retryMs },
        "cannot save checkpoints; will retry",
      );
      if (!this.timer && !this.closed) this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      throw new LogwardError("CHECKPOINT_FAILED", `cannot save checkpoints to ${this.file}: ${describeError(err)}`, {
        cause: err,
      });
    }
  }

  private snapshot(): StoredSources {
    const sources: StoredSources = {};
    for (const [source, byKey] of this.data) {
      if (byKey.size > 0) sources[source] = Object.fromEntries(byKey);
    }
    return sources;
  }

  /** Keep the last good file as .prev (a hard link: no copy), then write the new one over the main slot. */
  private async write(text: string): Promise<void> {
    if (this.mainGood) await linkAtomic(this.file, this.prevFile);
    await writeAtomic(this.file, text);
    this.mainGood = true;
  }

  /** Load the main slot; an unusable file, or entry, comes from the previous copy instead, loudly. */
  private async load(): Promise<void> {
    await removeStaleTemps(this.stateDir, FILE_NAME);
    const [main, prev] = [await this.readSlot(this.file), await this.readSlot(this.prevFile)];
    if (main.state === "ok") {
      this.fill(main.sources);
      this.mainGood = main.bad.length === 0;
      if (main.bad.length > 0) this.recoverEntries(main.bad, prev);
      return;
    }
    if (main.state === "corrupt") await this.moveAside(main.reason);
    if (prev.state === "ok") {
      this.fill(prev.sources);
      this.warnRecovered(main, prev);
    } else if (main.state === "corrupt") {
      this.logger.error(
        { file: this.file, reason: main.reason, previous: prev.state === "corrupt" ? prev.reason : "none" },
        "checkpoint file is corrupt and there is no good previous copy: starting without checkpoints " +
          "(files are read from start_at, lines written while logward was stopped may be skipped)",
      );
    }
  }

  private async readSlot(file: string): Promise<Slot> {
    try {
      return await readSlot(file);
    } catch (err) {
      throw new LogwardError("CHECKPOINT_FAILED", `cannot read ${file}: ${describeError(err)}`, { cause: err });
    }
  }

  private fill(sources: StoredSources): void {
    for (const [source, byKey] of Object.entries(sources)) {
      for (const [key, checkpoint] of Object.entries(byKey)) super.set(source, key, checkpoint);
    }
  }

  /** Entries of the main slot that failed validation: take each from the previous copy when it has a valid one. */
  private recoverEntries(bad: BadEntry[], prev: Slot): void {
    this.metrics.counter("checkpoint_corrupt_total", "Checkpoint files or entries found corrupt").inc(bad.length);
    const older = prev.state === "ok" ? prev.sources : {};
    for (const entry of bad) {
      const from = entry.key === undefined ? older[entry.source] : pick(older[entry.source], entry.key);
      for (const [key, cp] of Object.entries(from ?? {})) super.set(entry.source, key, cp);
      const what = { file: this.file, source: entry.source, key: entry.key, reason: entry.reason };
      if (from && Object.keys(from).length > 0)
        this.logger.warn({ ...what, recoveredFrom: this.prevFile }, "invalid checkpoint replaced by the previous copy");
      else
        this.logger.error(
          what,
          "invalid checkpoint dropped: no valid previous copy (that file restarts from start_at)",
        );
    }
  }

  private warnRecovered(main: Slot, prev: Slot & { state: "ok" }): void {
    const count = Object.values(prev.sources).reduce((n, byKey) => n + Object.keys(byKey).length, 0);
    this.logger.warn(
      {
        file: this.file,
        problem: main.state === "corrupt" ? main.reason : "missing",
        recoveredFrom: this.prevFile,
        checkpoints: count,
      },
      "checkpoints recovered from the previous copy: lines since its save (about a second) are read again",
    );
  }

  /** Keep the unreadable file for inspection; a later save writes a fresh one. */
  private async moveAside(reason: string): Promise<void> {
    const aside = `${this.file}.corrupt-${this.clock.now()}`;
    this.metrics.counter("checkpoint_corrupt_total", "Checkpoint files or entries found corrupt").inc();
    try {
      await fs.promises.rename(this.file, aside);
      this.logger.error({ file: this.file, movedTo: aside, reason }, "checkpoint file is corrupt; moved aside");
    } catch (renameErr) {
      this.logger.error(
        { file: this.file, reason, renameErr: describeError(renameErr) },
        "checkpoint file is corrupt and could not be moved aside",
      );
    }
  }
}

function pick(byKey: Record<string, Checkpoint> | undefined, key: string): Record<string, Checkpoint> | undefined {
  const cp = byKey?.[key];
  return cp ? { [key]: cp } : undefined;
}

/** Make `to` another name of `from`'s current content, atomically; a missing `from` leaves `to` as it is. */
async function linkAtomic(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await fs.promises.rm(tmp, { force: true });
  try {
    await fs.promises.link(from, tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  await fs.promises.rename(tmp, to);
}

/** Temp files a killed process left behind (checkpoints.json.tmp-<pid>). */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  for (const n of names)
    if (n.startsWith(`${name}.tmp-`) || n.startsWith(`${name}.prev.tmp-`))
      await fs.promises.rm(`${dir}/${n}`, { force: true }).catch(() => {});
}

/** Write via a temp file, fsync it, rename over the target and fsync the directory: the file is always whole. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.promises.open(tmp, "w", 0o644);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  const dir = await fs.promises.open(path.dirname(file), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
