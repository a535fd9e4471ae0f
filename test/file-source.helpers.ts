// Test harness for the file source: a real checkpoint store in a temp dir, an emit that collects and acks batches.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Source, SourceContext } from "../src/core/component.js";
import { type Clock, systemClock } from "../src/core/clock.js";
import type { Logger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord, RecordBatch, Release } from "../src/core/record.js";
import { FileCheckpointStore } from "../src/sources/checkpoints.js";
import { fileSource } from "../src/sources/file/index.js";
import { waitFor } from "./helpers.js";

export interface Logged {
  level: string;
  obj: object | string;
  msg: string;
}

export function recordingLogger(into: Logged[]): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    void into.push({ level, obj, msg: msg ?? (typeof obj === "string" ? obj : "") });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

export function tempDir(prefix = "logward-fs-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The uid and gid of `nobody` on Debian: an account with no rights to files it does not own. */
const NOBODY = 65534;

/**
 * Runs `body` with the rights of an ordinary user, so that file modes hold: as root, the process's effective ids
 * become nobody's (owner of `dir` meanwhile) and root's again after, whatever happens; otherwise it just runs. The
 * test workers are processes (vitest's forks pool), so this touches no other test file.
 */
export async function asUnprivileged(dir: string, body: () => Promise<void>): Promise<void> {
  if (process.getuid?.() !== 0) return body();
  const chown = (uid: number) => {
    for (const entry of [dir, ...fs.readdirSync(dir, { recursive: true }).map((p) => path.join(dir, String(p)))])
      fs.chownSync(entry, uid, uid);
  };
  chown(NOBODY);
  process.setegid?.(NOBODY);
  process.seteuid?.(NOBODY);
  try {
    await body();
  } finally {
    process.seteuid?.(0);
    process.setegid?.(0);
    chown(0);
  }
}

export { waitFor };

export class Harness {
  readonly dir = tempDir();
  readonly stateDir = path.join(this.dir, "state");
  readonly logs: Logged[] = [];
  records: LogRecord[] = [];
  batches: RecordBatch[] = [];
  /** When true, batches are not acknowledged until releaseHeld() (delivery still pending). */
  holdAcks = false;
  /** Set by crash(): the pipeline is gone, every batch is refused. */
  private crashed = false;
  held: Release[] = [];
  metrics = new Metrics();
  store: FileCheckpointStore | undefined;
  source: Source | undefined;

  path(name: string): string {
    return path.join(this.dir, name);
  }

  lines(): string[] {
    return this.records.map((r) => r.line);
  }

  /** What the pipeline would answer to wanted(): the literals lines must contain, undefined for every line. */
  wanted: readonly string[] | undefined = undefined;
  /** The batch size the pipeline asks for (SourceContext.batchRecords); undefined for whole reads. */
  batchRecords: number | undefined = undefined;
  /** Awaited before each batch is taken (its index among this run's batches): backpressure, or a refusal. */
  gate: ((batch: RecordBatch, index: number) => Promise<void> | undefined) | undefined = undefined;

  async start(config: Record<string, unknown>, opts: { once?: boolean; clock?: Clock } = {}): Promise<Source> {
    this.store = await FileCheckpointStore.open(this.stateDir, {
      logger: recordingLogger(this.logs),
      metrics: this.metrics,
    });
    const ctx: SourceContext = {
      name: "app",
      clock: opts.clock ?? systemClock,
      logger: recordingLogger(this.logs),
      metrics: this.metrics,
      stateDir: this.stateDir,
      checkpoints: this.store,
      once: opts.once ?? false,
      wanted: () => this.wanted,
      ...(this.batchRecords === undefined ? {} : { batchRecords: this.batchRecords }),
      emit: async (batch) => {
        if (this.crashed) throw new Error("crashed");
        await this.gate?.(batch, this.batches.length);
        this.batches.push(batch);
        this.records.push(...batch.records);
        const release = batch.ack.hold();
        if (this.holdAcks) this.held.push(release);
        else queueMicrotask(release);
      },
    };
    this.source = fileSource.create(fileSource.schema.parse(config), ctx);
    await this.source.start();
    return this.source;
  }

  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  async stop(): Promise<void> {
    await this.source?.stop();
    await this.store?.close();
    this.source = undefined;
    this.store = undefined;
  }

  /**
   * A kill -9: the checkpoints on disk stay as they were last saved (whatever the store had not written yet is lost)
   * and no batch goes out any more. The source is stopped to free its files and timers; what its stop writes is
   * undone. Returns the checkpoint file's text at the crash (undefined when none was saved yet).
   */
  async crash(): Promise<string | undefined> {
    const file = path.join(this.stateDir, "checkpoints.json");
    const saved = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    this.crashed = true;
    await this.stop();
    this.crashed = false;
    if (saved === undefined) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, saved);
    return saved;
  }

  /** Stop, then start again with the same state dir (records of the new run only). */
  async restart(config: Record<string, unknown>, opts: { once?: boolean } = {}): Promise<Source> {
    await this.stop();
    this.records = [];
    this.batches = [];
    return this.start(config, opts);
  }

  async cleanup(): Promise<void> {
    await this.stop().catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async waitLines(n: number, what = `${n} lines`): Promise<void> {
    await waitFor(
      () => this.records.length >= n,
      () => `${what} (have ${this.records.length}: ${JSON.stringify(this.lines().slice(-5))})`,
    );
  }

  /** Wait until the store's saved offset for the file at `file` is `offset`. */
  async waitCheckpoint(file: string, offset: number): Promise<void> {
    await waitFor(
      () => [...(this.store?.list("app").values() ?? [])].some((cp) => cp.path === file && cp.offset === offset),
      `checkpoint ${file}@${offset}`,
    );
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metrics.text();
    let total = 0;
    for (const line of text.split("\n")) {
      if (!line.startsWith(`logward_${name}`) || line.startsWith("#")) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        total += Number(line.split(" ").pop());
    }
    return total;
  }
}

/** Numbered lines "<prefix> <i>" for i in [from, to). */
export function numbered(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix} ${i}`);
  return out;
}

export function append(file: string, lines: string[]): void {
  fs.appendFileSync(file, lines.map((l) => l + "\n").join(""));
}

export const haveLogrotate = spawnSync("logrotate", ["--version"]).status === 0;
if (!haveLogrotate && process.env.CI === "true") throw new Error("logrotate is required in CI");

/** Run logrotate once, forced, with this config body for the file. It blocks: the source cannot read meanwhile. */
export function logrotate(h: Harness, file: string, body: string): void {
  const conf = h.path("logrotate.conf");
  fs.writeFileSync(conf, `${file} {\n${body}\n}\n`, { mode: 0o644 });
  execFileSync("logrotate", ["-f", "-s", h.path("logrotate.state"), conf], { stdio: "pipe" });
}
