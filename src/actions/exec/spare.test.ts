// Warm spare shells with real processes: a command run on a spare cannot tell it from a cold `shell -c` run
// (env, shell variables, stdin, cwd, $0, descriptors, exit status, signal), and spares never linger or loop.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import { execSchema } from "./schema.js";
import { ExecAction } from "./index.js";
import { runCommand, type RunResult, type RunSpec } from "./runner.js";
import { privateUnlinkedFile, shellQuote, spareScript, SpareShells, spareSupported } from "./spare.js";
import { actionContext, gone, matchEvent, readIfExists, tempDir, trackedRelease, waitFor } from "./testing/helpers.js";

const SHELLS = ["/bin/sh", "/bin/dash", "/bin/bash"].filter((shell) => fs.existsSync(shell));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const TRICKY = [
  "it's \"quoted\" '\\''",
  "two\nlines\n",
  "$HOME $(touch pwned) `touch pwned` ${X:-y}",
  "back\\slash\\",
  "é ✓ 🚀 \u00a0",
  "",
  "-n",
  "'",
  "\r\t%s %b\\n",
];

function vars(out: string): Record<string, string> {
  const v: Record<string, string> = { LOGWARD_RULE: "r", OUT: out };
  TRICKY.forEach((value, i) => (v[`LOGWARD_FIELD_V${i}`] = value));
  return v;
}

const baseEnv = { ...process.env, BASE_ONLY: "base" };
const spec = (shell: string, command: string, cwd: string, stdin: string): RunSpec => ({
  shell,
  command,
  cwd,
  env: baseEnv,
  stdin,
  timeoutMs: 30_000,
  killGraceMs: 2000,
});

async function coldRun(s: RunSpec, v: Record<string, string>): Promise<RunResult> {
  return runCommand({ ...s, env: { ...s.env, ...v } }, systemClock, silentLogger).done;
}

async function readySpares(shell: string, cwd: string): Promise<SpareShells> {
  const spares = new SpareShells({ shell, cwd, env: baseEnv }, silentLogger);
  cleanups.push(() => spares.stop());
  spares.prime();
  await waitFor(() => spares.readyPid, "the spare shell");
  return spares;
}

async function warmRun(s: RunSpec, v: Record<string, string>): Promise<{ result: RunResult; pid: number }> {
  const spares = await readySpares(s.shell, s.cwd as string);
  const pid = spares.readyPid as number;
  const running = spares.run(s, v, systemClock, silentLogger);
  if (!running) throw new Error("the spare was not used");
  return { result: await running.done, pid };
}

/** What a command can observe of itself, written to $OUT. */
const OBSERVE = [
  'env -0 > "$OUT/env"',
  'set > "$OUT/set"',
  'pwd > "$OUT/pwd"',
  'printf "%s %s" "$0" "$#" > "$OUT/args"',
  'ls /proc/self/fd > "$OUT/fds"',
  'ls -l /proc/self/fd > "$OUT/fdlinks"',
  'echo $$ > "$OUT/pid"',
  'cat > "$OUT/stdin"',
].join("; ");

/** Shell variables that name the script being run (documented in spare.ts) or the observation itself. */
const EXPECTED_DIFFERENCES =
  /^(OUT|_|LINENO|BASH_EXECUTION_STRING|BASH_SOURCE|BASH_LINENO|BASH_ARGC|BASH_ARGV|FUNCNAME)=/;

function observed(out: string): Record<string, string> {
  const files = ["env", "set", "pwd", "args", "fds", "stdin"];
  const read = (f: string) => fs.readFileSync(path.join(out, f), "utf8");
  const result = Object.fromEntries(files.map((f) => [f, read(f)]));
  result.env = result
    .env!.split("\0")
    .filter((e) => !EXPECTED_DIFFERENCES.test(e))
    .sort()
    .join("\0");
  result.set = result
    .set!.split("\n")
    .filter((e) => !EXPECTED_DIFFERENCES.test(e))
    .join("\n");
  return result;
}

describe.each(SHELLS)("a spare %s", (shell) => {
  it("runs a command exactly as a cold run does: env, shell variables, cwd, $0, descriptors, stdin", async () => {
    const cwd = tempDir();
    const [coldOut, warmOut] = [tempDir(), tempDir()];
    const stdin = "first line\n'second' $(line)\n";
    const cold = await coldRun(spec(shell, OBSERVE, cwd, stdin), vars(coldOut));
    const warm = await warmRun(spec(shell, OBSERVE, cwd, stdin), vars(warmOut));
    expect(warm.result).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(cold).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(observed(warmOut)).toEqual(observed(coldOut));
    expect(Number(fs.readFileSync(path.join(warmOut, "pid"), "utf8"))).toBe(warm.pid); // it really ran on the spare
    // the script file stays with the shell
    expect(fs.readFileSync(path.join(warmOut, "fdlinks"), "utf8")).not.toMatch(/deleted|#/);
    const env = fs.readFileSync(path.join(warmOut, "env"), "utf8").split("\0");
    TRICKY.forEach((value, i) => expect(env).toContain(`LOGWARD_FIELD_V${i}=${value}`));
    expect(env).toContain("BASE_ONLY=base");
    expect(fs.readdirSync(cwd)).toEqual([]); // nothing in a value was run
  });

  it.each([
    ["exit 7", { code: 7, signal: null }],
    ["kill -TERM $$", { code: null, signal: "SIGTERM" }],
    ["exit", { code: 0, signal: null }],
    ["false", { code: 1, signal: null }],
    ["if", { code: 2, signal: null }],
  ])("ends %s with the same exit status and signal", async (command, expected) => {
    const cwd = tempDir();
    const cold = await coldRun(spec(shell, command, cwd, ""), vars(cwd));
    const warm = await warmRun(spec(shell, command, cwd, ""), vars(cwd));
    expect(cold).toMatchObject(expected);
    expect(warm.result).toMatchObject({ code: cold.code, signal: cold.signal, timedOut: false });
  });

  it("kills the whole group, grandchildren included, on timeout; the clock starts at the hand-over", async () => {
    const cwd = tempDir();
    const spares = await readySpares(shell, cwd);
    const command = 'sleep 300 & echo $! > "$OUT/grandchild"; wait';
    const running = spares.run(
      { ...spec(shell, command, cwd, ""), timeoutMs: 1000 },
      vars(cwd),
      systemClock,
      silentLogger,
    );
    const grandchild = Number(
      await waitFor(() => readIfExists(path.join(cwd, "grandchild"))?.trim() || undefined, "the grandchild's pid"),
    );
    const result = await running!.done;
    expect(result).toMatchObject({ timedOut: true, signal: "SIGTERM" });
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    await waitFor(() => gone(grandchild), "the grandchild to be killed");
  });
});

describe("spare shells", () => {
  it("quote any text so that a POSIX shell reads it back unchanged", () => {
    const file = path.join(tempDir(), "script");
    fc.assert(
      fc.property(fc.constantFrom(...SHELLS), fc.string({ unit: "binary", maxLength: 40 }), (shell, text) => {
        const value = text.replaceAll("\0", "").replace(/[\uD800-\uDFFF]/g, "?");
        fs.writeFileSync(file, spareScript({ LOGWARD_RULE: "r", X: value }, 'printf %s "$X"') as string);
        const r = spawnSync(shell, ["-c", `. ${file}`], { encoding: "utf8" });
        expect(r.stdout).toBe(value);
      }),
      { numRuns: 80 },
    );
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
  });

  it("refuse variables a script cannot carry (the run then starts cold)", () => {
    expect(spareScript({ LOGWARD_RULE: "r", "BAD-NAME": "x" }, "true")).toBeUndefined();
    expect(spareScript({ LOGWARD_RULE: "r", "1X": "x" }, "true")).toBeUndefined();
    expect(spareScript({ X: "x" }, "true")).toBeUndefined(); // the bootstrap's variable must be reset
    expect(spareScript({ LOGWARD_RULE: "r" }, "true")).toBe("exec 3<&-\nexport LOGWARD_RULE='r'\ntrue\n");
  });

  it("keep their script in a file no other process can open by name", () => {
    for (const nameless of [true, false]) {
      const fd = privateUnlinkedFile(nameless);
      try {
        const stat = fs.fstatSync(fd);
        expect(stat.nlink).toBe(0);
        expect(stat.mode & 0o777).toBe(0o600);
        fs.writeSync(fd, "echo hi", 0);
        expect(fs.readFileSync(`/proc/self/fd/${fd}`, "utf8")).toBe("echo hi"); // how the spare opens it
      } finally {
        fs.closeSync(fd);
      }
    }
  });

  it("are used only for POSIX shells on Linux", () => {
    expect(
      ["/bin/sh", "/usr/bin/dash", "bash", "/bin/busybox", "zsh", "/usr/bin/ksh"].every((s) =>
        spareSupported(s, "linux"),
      ),
    ).toBe(true);
    expect(["/usr/bin/fish", "/usr/bin/python3", "pwsh", "/bin/csh"].some((s) => spareSupported(s, "linux"))).toBe(
      false,
    );
    expect(spareSupported("/bin/sh", "win32")).toBe(false);
  });
});

describe("exec action with spares", () => {
  function setup(config: Record<string, unknown>) {
    const dir = tempDir();
    const context = actionContext("spare");
    const action = new ExecAction(execSchema.parse({ cwd: dir, env: { OUT: dir }, ...config }), context);
    cleanups.push(() => action.stop());
    return { dir, action, logs: context.logger.entries, file: (name: string) => path.join(dir, name) };
  }

  async function deliver(action: ExecAction, line: string): Promise<void> {
    const t = trackedRelease();
    await action.send(matchEvent([line]), t.release);
    await t.done;
  }

  it("runs each event on the spare that was waiting and starts the next one", async () => {
    const { action, file } = setup({ command: 'echo "$$ $LOGWARD_LINE" >> "$OUT/runs"' });
    const pids: number[] = [];
    for (const line of ["a", "b", "c"]) {
      pids.push(await waitFor(() => action.sparePid, "a spare shell"));
      await deliver(action, line);
    }
    expect(fs.readFileSync(file("runs"), "utf8")).toBe(pids.map((pid, i) => `${pid} ${"abc"[i]}\n`).join(""));
    expect(new Set(pids).size).toBe(3);
  });

  it("stop() leaves no spare process behind", async () => {
    const { action } = setup({ command: "true" });
    const pid = await waitFor(() => action.sparePid, "a spare shell");
    await action.stop();
    expect(gone(pid)).toBe(true);
    expect(action.sparePid).toBeUndefined();
  });

  it("runs the next event cold when the spare was killed, then starts a new spare (no respawn loop)", async () => {
    const { action, file, logs } = setup({ command: 'echo "$$" >> "$OUT/runs"' });
    const killed = await waitFor(() => action.sparePid, "a spare shell");
    process.kill(-killed, "SIGKILL");
    await waitFor(() => action.sparePid === undefined, "the dead spare to be noticed");
    expect(logs.some((e) => /spare shell exited unused/.test(e.msg))).toBe(true);
    await deliver(action, "a");
    const next = await waitFor(() => action.sparePid, "a new spare shell");
    expect(next).not.toBe(killed);
    expect(Number(fs.readFileSync(file("runs"), "utf8"))).not.toBe(killed);
    await deliver(action, "b");
    expect(fs.readFileSync(file("runs"), "utf8").split("\n")[1]).toBe(String(next));
  });

  it("runs cold when the working directory was replaced after the spare started", async () => {
    const { action, dir, file } = setup({ command: 'pwd -P > "$OUT/pwd"; ls > "$OUT/ls"' });
    await waitFor(() => action.sparePid, "a spare shell");
    fs.renameSync(dir, `${dir}-old`);
    fs.mkdirSync(dir);
    fs.writeFileSync(file("marker"), "");
    await deliver(action, "a");
    expect(fs.readFileSync(file("ls"), "utf8")).toContain("marker");
  });

  it("gives up on spares after three in a row exit unused", async () => {
    const shell = path.join(tempDir(), "sh");
    fs.symlinkSync("/bin/false", shell); // a "shell" that exits at once, spare or not
    const { action, logs } = setup({ command: "true", shell });
    const unusedExits = () => logs.filter((e) => /spare shell exited unused/.test(e.msg)).length;
    for (let died = 1; died <= 3; died++) {
      await waitFor(() => unusedExits() >= died, `spare ${died} to exit`); // the first one starts with the action
      if (died < 3) await deliver(action, `line ${died}`); // runs cold (and fails), then starts the next spare
    }
    expect(logs.some((e) => e.level === "info" && /3 spare shells in a row exited unused/.test(e.msg))).toBe(true);
    await deliver(action, "after");
    await new Promise((resolve) => setImmediate(resolve));
    expect(action.sparePid).toBeUndefined();
    expect(logs.filter((e) => /spare shell exited unused/.test(e.msg))).toHaveLength(3);
  });

  it("never starts a spare for a shell not known to be POSIX", async () => {
    const dir = tempDir();
    const shell = path.join(dir, "customsh");
    fs.symlinkSync("/bin/sh", shell);
    const { action, file } = setup({ command: 'echo "$0" > "$OUT/zero"', shell });
    await deliver(action, "a");
    await new Promise((resolve) => setImmediate(resolve));
    expect(action.sparePid).toBeUndefined();
    expect(fs.readFileSync(file("zero"), "utf8")).toBe(`${shell}\n`);
  });
});
