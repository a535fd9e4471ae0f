// Patterns from web clients: a regex runs in a worker thread under a time budget, so no pattern can stall the daemon.
import { Worker } from "node:worker_threads";
import { LogwardError, UserError } from "./errors.js";
import { mayMatch } from "./literals.js";
import { parsePattern } from "./pattern.js";

/** Where a pattern matched one line: [start, end), or null when it did not match. */
export type Span = [number, number] | null;

export interface ClientPattern {
  /** The pattern as the client wrote it. */
  readonly source: string;
  /**
   * The match span of each line, in order. Rejects with PATTERN_TOO_SLOW when a regex takes longer than the
   * budget (the worker running it is killed) and PATTERN_BUSY when too many filters wait.
   */
  spans(lines: readonly string[]): Promise<Span[]>;
  /** For a literal: the spans computed in place (linear), so the common filter needs no round trip. */
  readonly now?: (lines: readonly string[]) => Span[];
}

export interface SandboxOptions {
  /** How long one filter run may take (default 500 ms). */
  budgetMs?: number;
  /** Filter runs that may wait for the worker before more are refused (default 64). */
  maxQueued?: number;
}

/** Longer patterns are refused: a pattern is typed into a filter box, and compile time grows with its size. */
export const MAX_CLIENT_PATTERN_CHARS = 1000;
const DEFAULT_BUDGET_MS = 500;
const DEFAULT_MAX_QUEUED = 64;

interface Job {
  id: number;
  source: string;
  flags: string;
  lines: readonly string[];
  resolve(spans: Span[]): void;
  reject(err: Error): void;
}

interface Reply {
  id: number;
  spans?: Span[];
  error?: string;
}

/**
 * Runs client regexes one job at a time in a worker thread. A job over budget gets its worker terminated
 * (V8 interrupts a running regex) and a fresh worker takes the next job; the main thread never runs them.
 * Literal patterns are matched in place: `indexOf` is linear.
 */
export class PatternSandbox {
  readonly budgetMs: number;
  private readonly maxQueued: number;
  private readonly queue: Job[] = [];
  private running: { job: Job; timer: NodeJS.Timeout | undefined } | undefined;
  private worker: Promise<Worker> | undefined;
  private nextId = 1;
  private closed = false;
  /** Jobs stopped for running over budget, since start. */
  timeouts = 0;

  constructor(options: SandboxOptions = {}) {
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  }

  /** Parse a client's pattern; throws UserError(PATTERN_INVALID) for a bad or oversized one. */
  compile(text: string): ClientPattern {
    if (text.length > MAX_CLIENT_PATTERN_CHARS)
      throw new UserError("PATTERN_INVALID", `pattern longer than ${MAX_CLIENT_PATTERN_CHARS} characters`);
    const pattern = parsePattern(text);
    const re = pattern.regex;
    if (!re) {
      const now = (lines: readonly string[]): Span[] => lines.map((line) => literalSpan(line, text));
      return { source: text, now, spans: async (lines) => now(lines) };
    }
    const set = pattern.prefilter;
    if (!set) return { source: text, spans: (lines) => this.run(re.source, re.flags, lines) };
    // The rules' literal prefilter: only the lines holding one of the pattern's literals go to the worker.
    return {
      source: text,
      spans: async (lines) => {
        const candidates = lines.flatMap((line, i) => (mayMatch(set, line) ? [i] : []));
        const spans: Span[] = lines.map(() => null);
        if (candidates.length === 0) return spans;
        const found = await this.run(
          re.source,
          re.flags,
          candidates.map((i) => lines[i] as string),
        );
        candidates.forEach((line, k) => (spans[line] = found[k] ?? null));
        return spans;
      },
    };
  }

  /** Ends the worker; waiting jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.queue, ...(this.running ? [this.running.job] : [])];
    this.queue.length = 0;
    if (this.running?.timer) clearTimeout(this.running.timer);
    this.running = undefined;
    for (const job of waiting) job.reject(new LogwardError("WEB_FAILED", "the web server is closing"));
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  private run(source: string, flags: string, lines: readonly string[]): Promise<Span[]> {
    if (this.closed) return Promise.reject(new LogwardError("WEB_FAILED", "the web server is closing"));
    if (this.queue.length >= this.maxQueued)
      return Promise.reject(new LogwardError("PATTERN_BUSY", "too many filters waiting; try again"));
    return new Promise<Span[]>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, source, flags, lines, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = { job, timer: undefined };
    this.ensureWorker().then(
      (worker) => {
        if (this.running?.job !== job) return;
        // The budget starts when the worker has the job: a worker's start-up is not the pattern's time.
        this.running.timer = setTimeout(() => this.overBudget(job), this.budgetMs);
        worker.postMessage({ id: job.id, source: job.source, flags: job.flags, lines: job.lines });
      },
      (err: unknown) => this.finish(job, undefined, err as Error),
    );
  }

  private ensureWorker(): Promise<Worker> {
    this.worker ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(`(${workerMain.toString()})()`, {
        eval: true,
        // The lines of one job are at most a history's worth; a runaway pattern must not take the daemon's memory.
        resourceLimits: { maxOldGenerationSizeMb: 256 },
      });
      worker.unref();
      worker.once("online", () => resolve(worker));
      worker.on("message", (reply: Reply) => this.onReply(reply));
      worker.on("error", (err) => this.onWorkerGone(worker, err, reject));
      worker.on("exit", (code) => this.onWorkerGone(worker, new Error(`filter worker exited (${code})`), reject));
    });
    return this.worker;
  }

  private onReply(reply: Reply): void {
    const job = this.running?.job;
    if (!job || job.id !== reply.id) return;
    if (reply.spans) this.finish(job, reply.spans);
    else this.finish(job, undefined, new UserError("PATTERN_INVALID", reply.error ?? "pattern failed"));
  }

  private onWorkerGone(worker: Worker, err: Error, rejectStart: (err: Error) => void): void {
    rejectStart(err);
    void this.worker?.then((current) => {
      if (current !== worker) return;
      this.worker = undefined;
      const job = this.running?.job;
      if (job) this.finish(job, undefined, new LogwardError("WEB_FAILED", `filter worker failed: ${err.message}`));
    });
  }

  private overBudget(job: Job): void {
    if (this.running?.job !== job) return;
    this.timeouts++;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.then((w) => w.terminate());
    const message = `pattern took longer than ${this.budgetMs} ms on these lines; it was stopped`;
    this.finish(job, undefined, new UserError("PATTERN_TOO_SLOW", message));
  }

  private finish(job: Job, spans: Span[] | undefined, err?: Error): void {
    if (this.running?.job !== job) return;
    if (this.running.timer) clearTimeout(this.running.timer);
    this.running = undefined;
    if (spans) job.resolve(spans);
    else job.reject(err ?? new Error("filter failed"));
    this.pump();
  }
}

function literalSpan(line: string, text: string): Span {
  const at = line.indexOf(text);
  return at < 0 ? null : [at, at + text.length];
}

/** The worker's code: sent as source text, so it must not use anything from this module. */
function workerMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort } = require("node:worker_threads") as typeof import("node:worker_threads");
  try {
    // On Linux the nice value is per thread: only this thread yields the CPU to the daemon's own work.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("node:os") as typeof import("node:os")).setPriority(19);
  } catch {
    // not permitted or not supported: the time budget still bounds it
  }
  const cache = new Map<string, RegExp>();
  parentPort?.on("message", (job: { id: number; source: string; flags: string; lines: string[] }) => {
    try {
      const key = `${job.flags}/${job.source}`;
      let re = cache.get(key);
      if (!re) {
        if (cache.size >= 32) cache.clear();
        cache.set(key, (re = new RegExp(job.source, job.flags.replace(/[gy]/g, ""))));
      }
      const regex = re;
      const spans = job.lines.map((line) => {
        const m = regex.exec(line);
        return m ? [m.index, m.index + m[0].length] : null;
      });
      parentPort.postMessage({ id: job.id, spans });
    } catch (err) {
      parentPort.postMessage({ id: job.id, error: String(err) });
    }
  });
}
