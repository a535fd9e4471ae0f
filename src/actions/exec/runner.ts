// Run one command: `shell -c command` in its own process group, stdin fed, output logged, and on
// timeout the whole group terminated (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import type { Clock, Timer } from "../../core/clock.js";
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { OutputLog } from "./output.js";

export interface RunSpec {
  shell: string;
  command: string;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  stdin: string;
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL of the group. */
  killGraceMs: number;
  /** `inherit`: the command writes to logward's own stdout and stderr instead of the log (default `log`). */
  output?: "log" | "inherit";
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The command could not be started (missing shell or cwd). */
  error?: Error;
}

export interface RunningCommand {
  done: Promise<RunResult>;
  /** Terminate the process group now (SIGTERM, then SIGKILL after the grace). */
  kill(): void;
}

/** Start a command. `done` resolves when the shell has exited (background children may live on). */
export function runCommand(spec: RunSpec, clock: Clock, logger: Logger): RunningCommand {
  const started = clock.now();
  const child = spawn(spec.shell, ["-c", spec.command], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true, // its own process group, so a timeout can kill grandchildren too
    stdio: spec.output === "inherit" ? ["pipe", "inherit", "inherit"] : ["pipe", "pipe", "pipe"],
  });
  return superviseCommand(child, spec, started, clock, logger);
}

/**
 * The part of a run after the shell exists: the timeout, output logging, stdin, and the result (spare.ts shares it).
 */
export function superviseCommand(
  child: ChildProcess,
  spec: Pick<RunSpec, "stdin" | "timeoutMs" | "killGraceMs">,
  started: number,
  clock: Clock,
  logger: Logger,
): RunningCommand {
  // stdin first: a spare shell waits for the newline ahead of the lines, and setting up the rest takes ≈ 0.2 ms.
  // No stdio at all means spawn failed (EMFILE, ENOENT): its 'error' event, handled below, says why.
  if (child.stdin) feed(child.stdin, spec.stdin, logger);
  let timedOut = false;
  let graceTimer: Timer | undefined;
  const kill = (): void => {
    if (graceTimer || child.pid === undefined) return;
    const pid = child.pid;
    signalGroup(pid, "SIGTERM");
    graceTimer = clock.setTimeout(() => signalGroup(pid, "SIGKILL"), spec.killGraceMs);
  };
  const timeout = clock.setTimeout(() => {
    timedOut = true;
    kill();
  }, spec.timeoutMs);
  const output = new OutputLog(logger);
  if (child.stdout) output.follow(child.stdout, "stdout");
  if (child.stderr) output.follow(child.stderr, "stderr");
  const done = new Promise<RunResult>((resolve) => {
    const finish = (result: Omit<RunResult, "timedOut" | "durationMs">): void => {
      timeout.cancel();
      resolve({ ...result, timedOut, durationMs: clock.now() - started });
    };
    child.once("error", (error) => finish({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => finish({ code, signal }));
  });
  return { done, kill };
}

/** Signal every process of a group; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Write stdin; a command that does not read it (EPIPE) is normal, not an error. */
function feed(stdin: Writable, text: string, logger: Logger): void {
  stdin.on("error", (err) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EPIPE" && code !== "ECONNRESET")
      logger.debug({ err: describeError(err) }, "writing the command's stdin failed");
  });
  stdin.end(text);
}
