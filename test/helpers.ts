// Test helpers: temp folders, the built CLI as a real child process, and waiting on conditions.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";

export const ROOT = resolve(import.meta.dirname, "..");
export const LOGWARD = join(ROOT, "bin", "logward");

export function tempDir(prefix = "logward-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The path of a child script for a suite (call it in the describe): written into a temp folder before the suite's
 * tests, removed after them. `module` is the built module it imports (dist/): the suite fails when it is missing.
 */
export function childScript(module: string, source: string): string {
  const tmp = tempDir();
  const script = join(tmp.dir, "child.mjs");
  beforeAll(() => {
    if (!existsSync(module)) throw new Error(`${module} is missing: run npm run build`);
    writeFileSync(script, source);
  });
  afterAll(() => tmp.cleanup());
  return script;
}

type Falsy = undefined | null | false | 0 | "";

/**
 * The one poll-with-deadline of the tests: poll check until it returns a truthy value (which it returns), or fail
 * with the description after the deadline (generous: other tests share the machine).
 */
export async function waitFor<T>(
  check: () => T | Falsy | Promise<T | Falsy>,
  what: string | (() => string) = "condition",
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The file's lines (without the trailing empty one), or [] when it does not exist yet. */
export function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l, i, all) => l !== "" || i < all.length - 1);
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON log lines the process wrote to stderr (run with --log-format json). */
  logs: () => Record<string, unknown>[];
  waitForLog: (msg: string | RegExp, timeoutMs?: number) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Start bin/logward with JSON logs; the caller stops it (stop() sends SIGTERM and awaits the exit). */
export function startLogward(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; bin?: string; uid?: number; gid?: number } = {},
): Running {
  const child = spawn(process.execPath, [options.bin ?? LOGWARD, "--log-format", "json", ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const logs = () =>
    err.split("\n").flatMap((l) => {
      try {
        return l.startsWith("{") ? [JSON.parse(l) as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  const matches = (msg: string | RegExp, m: unknown) => (typeof msg === "string" ? m === msg : msg.test(String(m)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    waitForLog: (msg, timeoutMs) =>
      waitFor(() => logs().find((l) => matches(msg, l.msg)), `log ${String(msg)}; stderr so far:\n${err}`, timeoutMs),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Run bin/logward to completion and collect its output. */
export function runLogward(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; bin?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [options.bin ?? LOGWARD, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.input ?? "");
    child.on("exit", (code) => res({ code, stdout, stderr }));
  });
}
