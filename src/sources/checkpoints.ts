// FileCheckpointStore: checkpoints kept in state_dir/checkpoints.json, written atomically and retried on failure.
import fs from "node:fs";
import path from "node:path";
import { MemoryCheckpointStore, type Checkpoint, type CheckpointStore } from "../core/checkpoint.js";
import { systemClock, type Clock, type Timer } from "../core/clock.js";
import { describeError, LogwardError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";

const FILE_NAME = "checkpoints.json";
const FORMAT_VERSION = 1;
/** A `set` reaches the disk within this long, so a crash loses at most ~1 s of progress (re-read, not lost). */
const AUTOSAVE_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface FileCheckpointStoreOptions {
  logger: Logger;
  metrics: Metrics;
  clock?: Clock;
}

interface StoredFile {
  version: number;
  sources: Record<string, Record<string, Checkpoint>>;
}

export class FileCheckpointStore extends MemoryCheckpointStore implements CheckpointStore {
  readonly file: string;
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
  }

  /** Open (or create) the store in stateDir; a corrupt file is reported, moved aside and replaced by an empty store. */
  static async open(stateDir: string, opts: FileCheckpointStoreOptions): Promise<FileCheckpointStore> {
    const store = new FileCheckpointStore(stateDir, opts.logger, opts.metrics, opts.clock ?? systemClock);
    try {
      await fs.promises.mkdir(stateDir, { recursive: true });
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
    const text = JSON.stringify(this.snapshot()) + "\n";
    try {
      await writeAtomic(this.file, text);
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

  private snapshot(): StoredFile {
    const sources: StoredFile["sources"] = {};
    for (const [source, byKey] of this.data) {
      if (byKey.size > 0) sources[source] = Object.fromEntries(byKey);
    }
    return { version: FORMAT_VERSION, sources };
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new LogwardError("CHECKPOINT_FAILED", `cannot read ${this.file}: ${describeError(err)}`, { cause: err });
    }
    try {
      this.fill(parseStored(text));
    } catch (err) {
      await this.moveAside(err);
    }
  }

  private fill(stored: StoredFile): void {
    for (const [source, byKey] of Object.entries(stored.sources)) {
      for (const [key, checkpoint] of Object.entries(byKey)) super.set(source, key, checkpoint);
    }
  }

  /** Keep the unreadable file for inspection and start empty: losing positions means re-reading, not stopping. */
  private async moveAside(err: unknown): Promise<void> {
    const aside = `${this.file}.corrupt-${this.clock.now()}`;
    this.metrics.counter("checkpoint_corrupt_total", "Checkpoint files found corrupt and moved aside").inc();
    try {
      await fs.promises.rename(this.file, aside);
      this.logger.error(
        { file: this.file, movedTo: aside, err: describeError(err) },
        "checkpoint file is corrupt; moved aside, starting without checkpoints",
      );
    } catch (renameErr) {
      this.logger.error(
        { file: this.file, err: describeError(err), renameErr: describeError(renameErr) },
        "checkpoint file is corrupt and could not be moved aside; starting without checkpoints",
      );
    }
  }
}

function parseStored(text: string): StoredFile {
  const value = JSON.parse(text) as unknown;
  if (!isObject(value) || !isObject(value.sources))
    throw new Error("not a logward checkpoint file (no `sources` object)");
  for (const [source, byKey] of Object.entries(value.sources)) {
    if (!isObject(byKey)) throw new Error(`checkpoints of source ${source} are not an object`);
    for (const [key, cp] of Object.entries(byKey)) {
      if (!isObject(cp) || typeof cp.offset !== "number" || !(cp.offset >= 0))
        throw new Error(`checkpoint ${source}/${key} has no valid offset`);
    }
  }
  return value as unknown as StoredFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
