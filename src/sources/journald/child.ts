// One journalctl child process: its stdout split into lines (bounded), its stderr's last lines, its exit.
import { spawn, type ChildProcess } from "node:child_process";
import { LineSplitter, type RawLine } from "../lines/index.js";

/** How a run ended: its exit code or signal, the last lines it wrote to stderr, or why it could not start. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

const STDERR_KEEP = 4096;

export class JournalctlChild {
  private readonly child: ChildProcess;
  private readonly splitter: LineSplitter;
  private stderr = "";
  readonly exited: Promise<ChildExit>;

  /** Lines go to onLines as they complete; the last unfinished one when the process ends. */
  constructor(
    command: string,
    args: string[],
    maxLineBytes: number,
    onLines: (lines: RawLine[]) => void,
    onStderr?: (text: string) => void,
  ) {
    this.splitter = new LineSplitter(maxLineBytes);
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    this.child.stdout?.on("data", (chunk: Buffer) => onLines(this.splitter.push(chunk)));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
      onStderr?.(text.slice(0, STDERR_KEEP));
    });
    this.exited = new Promise((resolve) => {
      let error: NodeJS.ErrnoException | undefined;
      this.child.on("error", (err) => {
        error = err;
        // A process that never started sends no close.
        if (this.child.pid === undefined) resolve({ code: null, signal: null, stderr: this.stderr, error });
      });
      this.child.on("close", (code, signal) => {
        const last = this.splitter.flush();
        if (last) onLines([last]);
        resolve({ code, signal, stderr: this.stderr.trim(), ...(error ? { error } : {}) });
      });
    });
  }

  /** Stop reading its output (backpressure): journalctl then blocks on a full pipe. */
  pause(): void {
    this.child.stdout?.pause();
  }

  resume(): void {
    this.child.stdout?.resume();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
  }
}

/** Run journalctl to its end (killed after limitMs) and collect its output (the short runs: the tail cursor). */
export async function runToEnd(
  command: string,
  args: string[],
  limitMs: number,
): Promise<{ lines: string[]; exit: ChildExit }> {
  const lines: string[] = [];
  const child = new JournalctlChild(command, args, 64 * 1024, (done) => lines.push(...done.map((l) => l.text)));
  const timer = setTimeout(() => child.kill(), limitMs);
  try {
    return { lines, exit: await child.exited };
  } finally {
    clearTimeout(timer);
  }
}
