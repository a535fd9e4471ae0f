// Stats reports and alerts kept across restarts: an append-only file in state_dir, written off the pipeline's path in
// batches and compacted now and then, read back into the hub at start.
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Clock } from "../core/clock.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { makeDirs } from "../core/mkdirs.js";
import { writeFileDurable } from "../rotate/fsutil.js";
import type { WebHub } from "./hub.js";
import { HISTORY_HEADER, alertLine, parseHistory, reportLine, type ParsedHistory } from "./history-file.js";

export const HISTORY_FILE = "web-history.jsonl";

export interface WebHistoryOptions {
  /** The folder the file is kept in (state_dir). */
  dir: string;
  hub: WebHub;
  clock: Clock;
  logger: Logger;
  /** Reports and alerts older than this are not kept. */
  maxAgeMs: number;
  /** How often what arrived is appended (default 1 s). */
  flushMs?: number;
  /** Most bytes read at start: of a larger file only its end is read (default 32 MiB). */
  maxLoadBytes?: number;
}

export interface WebHistory {
  readonly file: string;
  /** Append what arrived since the last flush (compacting first when the file has grown enough). */
  flush(): Promise<void>;
  /** Flush and stop. */
  close(): Promise<void>;
}

/** Bytes of records waiting for the next flush beyond which they are let go: the next compaction writes them. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_LOAD_BYTES = 32 * 1024 * 1024;

/** Read the file back into the hub, rewrite it clean, and keep appending what the hub receives. */
export async function openWebHistory(options: WebHistoryOptions): Promise<WebHistory> {
  const file = path.join(options.dir, HISTORY_FILE);
  const { hub, logger } = options;
  const since = options.clock.now() - options.maxAgeMs;
  const parsed = await load(file, since, options.maxLoadBytes ?? DEFAULT_MAX_LOAD_BYTES, logger);
  hub.restore(parsed.reports, parsed.alerts);
  if (parsed.reports.length + parsed.alerts.length > 0)
    logger.info({ file, reports: parsed.reports.length, alerts: parsed.alerts.length }, "web history reloaded");
  const writer = new HistoryWriter(file, options);
  const unsubscribe = hub.subscribeEvents((event) =>
    writer.add(event.type === "report" ? reportLine(event.entry) : alertLine(event.entry)),
  );
  await makeDirs(options.dir).catch(() => {}); // a failure shows in the first flush's warning
  await writer.flush();
  const timer = setInterval(() => void writer.flush(), options.flushMs ?? 1000);
  timer.unref();
  return {
    file,
    flush: () => writer.flush(),
    async close() {
      clearInterval(timer);
      unsubscribe();
      await writer.flush();
    },
  };
}

/** Appends the records that arrived, one write a flush, and rewrites the file from the hub once it has grown. */
class HistoryWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Records the file holds; when it is well beyond what the hub keeps, the file is rewritten from the hub. */
  private fileRecords = 0;
  /** At start (a torn end, old records are not appended to), and after a failed or skipped write. */
  private mustCompact = true;
  private writing: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly file: string,
    private readonly options: WebHistoryOptions,
  ) {}

  /** Called on the pipeline's path: only queues the line (bounded: beyond it, the next compaction writes them). */
  add(line: string): void {
    if (this.pendingBytes + line.length > MAX_PENDING_BYTES) {
      this.pending = [];
      this.pendingBytes = 0;
      this.mustCompact = true;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
  }

  /** Writes are chained, so an append never runs beside a rewrite. */
  flush(): Promise<void> {
    this.writing = this.writing
      .then(() => this.write())
      .then(() => void (this.failed = false))
      .catch((err: unknown) => {
        this.mustCompact = true; // a write may have stopped part way: start the file over next time
        if (!this.failed)
          this.options.logger.warn({ file: this.file, err: describeError(err) }, "cannot write the web history");
        this.failed = true;
      });
    return this.writing;
  }

  private async write(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const { hub } = this.options;
    const held = Object.values(hub.stats()).reduce((n, r) => n + r.length, 0) + hub.alerts().length;
    if (this.mustCompact || this.fileRecords + lines.length > 2 * held + 100) {
      this.mustCompact = false;
      await this.compact();
    } else if (lines.length > 0) {
      await fsp.appendFile(this.file, lines.join(""));
      this.fileRecords += lines.length;
    }
  }

  /** The file rewritten from what the hub keeps (within the age bound): temp file, fsync, rename. */
  private async compact(): Promise<void> {
    const { hub, clock, maxAgeMs } = this.options;
    const cutoff = clock.now() - maxAgeMs;
    const reports = Object.values(hub.stats())
      .flat()
      .filter((r) => r.received >= cutoff);
    const alerts = hub.alerts().filter((a) => a.time >= cutoff);
    const text = HISTORY_HEADER + "\n" + reports.map(reportLine).join("") + alerts.map(alertLine).join("");
    await writeFileDurable(this.file, text);
    this.fileRecords = reports.length + alerts.length;
  }
}

/** What the file holds, or nothing (with a warning) when it cannot be used; never throws. */
async function load(file: string, since: number, maxBytes: number, logger: Logger): Promise<ParsedHistory> {
  const empty: ParsedHistory = { reports: [], alerts: [], bad: 0, newer: false, tornEnd: false, header: false };
  let text: string;
  let partial = false;
  try {
    ({ text, partial } = await readEnd(file, maxBytes));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return empty;
    logger.warn({ file, err: describeError(err) }, "cannot read the web history: starting without it");
    return empty;
  }
  if (partial) logger.warn({ file, readBytes: maxBytes }, "web history file is too big: only its end is read");
  const parsed = parseHistory(text, since, partial);
  const records = parsed.reports.length + parsed.alerts.length;
  if (parsed.newer) {
    await moveAside(file, "newer", logger, "web history was written by a newer logward: kept aside, starting without");
    return empty;
  }
  // Nothing of ours in it: not a torn end of our file but something else, kept for whoever wants to look.
  if (parsed.bad > 0 && records === 0 && !parsed.header) {
    await moveAside(file, "corrupt", logger, "web history file is corrupt: kept aside, starting without it");
    return empty;
  }
  if (parsed.bad > 0 && !parsed.tornEnd)
    logger.warn({ file, skipped: parsed.bad }, "web history: lines that are not records were skipped");
  else if (parsed.tornEnd)
    logger.debug({ file }, "web history: its last record was cut short (a crash) and is skipped");
  return parsed;
}

/** The file's text, or its last maxBytes (partial) when it is bigger. */
async function readEnd(file: string, maxBytes: number): Promise<{ text: string; partial: boolean }> {
  // Not a regular file (a folder, a FIFO that would block the open): not ours to read.
  if (!(await fsp.stat(file)).isFile()) throw new Error("not a regular file");
  const handle = await fsp.open(file, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, size - length + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { text: buffer.subarray(0, read).toString("utf8"), partial: size > maxBytes };
  } finally {
    await handle.close();
  }
}

async function moveAside(file: string, why: string, logger: Logger, message: string): Promise<void> {
  const aside = `${file}.${why}`;
  try {
    await fsp.rename(file, aside);
    logger.warn({ file, movedTo: aside }, message);
  } catch (err) {
    logger.warn({ file, err: describeError(err) }, message);
  }
}
