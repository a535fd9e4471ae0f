// Exec action with real child processes: environment contract, no injection, coalescing, timeouts — each with a
// cold `shell -c` spawn and with the first run handed to a warm spare shell.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../core/event.js";
import { ExecAction, execAction } from "./index.js";
import { execSchema } from "./schema.js";
import { actionContext, gone, matchEvent, readIfExists, tempDir, trackedRelease, waitFor } from "./testing/helpers.js";

const actions: ExecAction[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
});

type Mode = "cold" | "warm";

/** An action in a temp dir; "warm" waits until its spare shell is up (unless told no spare can start). */
async function setup(mode: Mode, config: Record<string, unknown>, { spareExpected = true } = {}) {
  const dir = tempDir();
  const context = actionContext("restart");
  const env = { OUT: dir, ...(config.env as Record<string, string> | undefined) };
  const action = new ExecAction(execSchema.parse({ cwd: dir, ...config, env }), context, { spares: mode === "warm" });
  actions.push(action);
  if (mode === "warm" && spareExpected) await waitFor(() => action.sparePid !== undefined, "the spare shell");
  const file = (name: string) => path.join(dir, name);
  return { dir, context, action, file, logs: context.logger.entries };
}

async function deliver(action: ExecAction, event: LogEvent): Promise<void> {
  const t = trackedRelease();
  await action.send(event, t.release);
  await t.done;
}

function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of fs.readFileSync(file, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

it("is created through the action kind", async () => {
  const action = execAction.create(execSchema.parse({ command: "true" }), actionContext("a"));
  expect(action).toBeInstanceOf(ExecAction);
  await action.stop();
});

describe.each<Mode>(["cold", "warm"])("exec action, %s start", (mode) => {
  it("passes the event in LOGWARD_* variables and the lines on stdin", async () => {
    const { action, file } = await setup(mode, {
      command: 'env -0 > "$OUT/env"; cat > "$OUT/stdin"',
      env: { EXTRA: "yes" },
    });
    const event = matchEvent(["first line", "second line"], {
      kind: "threshold",
      match: "line",
      fields: { user: "bob", "req-id": 7 },
      suppressed: 2,
    });
    await deliver(action, event);
    const env = readEnv(file("env"));
    expect(env).toMatchObject({
      LOGWARD_RULE: "r",
      LOGWARD_SOURCE: "app",
      LOGWARD_FILE: "/var/log/app.log",
      LOGWARD_LINE: "second line",
      LOGWARD_TIME: new Date(event.time).toISOString(),
      LOGWARD_MATCH: "line",
      LOGWARD_FIELD_USER: "bob",
      LOGWARD_FIELD_REQ_ID: "7",
      LOGWARD_COUNT: "2",
      LOGWARD_SUPPRESSED: "2",
      EXTRA: "yes",
    });
    expect(env.PATH).toBe(process.env.PATH);
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe("first line\nsecond line\n");
  });

  it("never runs log content: it arrives verbatim in LOGWARD_LINE and on stdin", async () => {
    const { action, file, dir } = await setup(mode, {
      command:
        'printf %s "$LOGWARD_LINE" > "$OUT/line"; printf %s "$LOGWARD_FIELD_X" > "$OUT/field"; cat > "$OUT/stdin"',
    });
    const evil =
      "x $(touch pwned1) `touch pwned2` \"q\" 'q' ; touch pwned3 && touch pwned4 | touch pwned5 $HOME \\n %s";
    await deliver(action, matchEvent([evil], { fields: { x: "$(touch pwned6)`touch pwned7`;touch pwned8" } }));
    expect(fs.readFileSync(file("line"), "utf8")).toBe(evil);
    expect(fs.readFileSync(file("field"), "utf8")).toBe("$(touch pwned6)`touch pwned7`;touch pwned8");
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe(`${evil}\n`);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("pwned"))).toEqual([]);
  });

  it("gives alerts their message in LOGWARD_MESSAGE and on stdin", async () => {
    const { action, file } = await setup(mode, {
      command: 'printf %s "$LOGWARD_MESSAGE" > "$OUT/message"; cat > "$OUT/stdin"',
    });
    const message = "High traffic generated an alert - hits = 1300, triggered at 2026-11-21T04:15:00.000Z";
    await deliver(action, { ...matchEvent([]), kind: "alert", records: [], message, count: 1 });
    expect(fs.readFileSync(file("message"), "utf8")).toBe(message);
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe(`${message}\n`);
  });

  it("copes with NUL bytes and huge lines: stdin gets them whole, the env a safe cut", async () => {
    const { action, file } = await setup(mode, {
      command: 'printf %s "$LOGWARD_LINE" > "$OUT/line"; cat > "$OUT/stdin"',
    });
    const huge = "a\0b" + "x".repeat(300_000);
    await deliver(action, matchEvent([huge]));
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe(`${huge}\n`);
    const line = fs.readFileSync(file("line"), "utf8");
    expect(line.startsWith("a\uFFFDbxxx")).toBe(true);
    expect(line.length).toBeLessThan(huge.length);
  });

  it("releases an event only when its run has finished", async () => {
    const { action, file } = await setup(mode, {
      command: 'touch "$OUT/started"; while [ ! -f "$OUT/go" ]; do sleep 0.05; done',
    });
    const t = trackedRelease();
    await action.send(matchEvent(["a"]), t.release);
    await waitFor(() => fs.existsSync(file("started")), "the command to start");
    expect(t.released()).toBe(false);
    fs.writeFileSync(file("go"), "");
    await t.done;
  });

  it("coalesces a burst that arrives while the rule's command runs into one next run", async () => {
    const { action, file } = await setup(mode, {
      command:
        'cat >> "$OUT/stdin"; echo "$LOGWARD_COUNT $LOGWARD_LINE" >> "$OUT/runs"; ' +
        'while [ ! -f "$OUT/go" ]; do sleep 0.05; done',
    });
    const releases = Array.from({ length: 50 }, () => trackedRelease());
    for (const [i, t] of releases.entries()) await action.send(matchEvent([`line ${i}`]), t.release);
    await waitFor(() => readIfExists(file("runs")), "the first run");
    fs.writeFileSync(file("go"), "");
    await Promise.all(releases.map((t) => t.done));
    expect(fs.readFileSync(file("runs"), "utf8")).toBe("1 line 0\n49 line 49\n");
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe(releases.map((_, i) => `line ${i}\n`).join(""));
  });

  it("bounds the queue by max_queue_lines, dropping the oldest lines with a warning", async () => {
    const { action, file, logs } = await setup(mode, {
      command: 'cat >> "$OUT/stdin"; while [ ! -f "$OUT/go" ]; do sleep 0.05; done',
      max_queue_lines: 5,
    });
    const releases = Array.from({ length: 21 }, () => trackedRelease());
    for (const [i, t] of releases.entries()) await action.send(matchEvent([`line ${i}`]), t.release);
    expect(releases.slice(1, 16).every((t) => t.released())).toBe(true); // dropped, given up
    expect(releases.slice(16).some((t) => t.released())).toBe(false);
    fs.writeFileSync(file("go"), "");
    await Promise.all(releases.map((t) => t.done));
    expect(fs.readFileSync(file("stdin"), "utf8")).toBe(
      ["line 0", "line 16", "line 17", "line 18", "line 19", "line 20"].map((l) => `${l}\n`).join(""),
    );
    const warnings = logs.filter((e) => e.level === "warn" && /max_queue_lines/.test(e.msg));
    expect(warnings.map((w) => w.fields.dropped)).toEqual([1, 15]);
    expect(warnings[1]?.msg).toContain("dropped 15 oldest queued lines");
  });

  it("runs different rules independently", async () => {
    const { action, file } = await setup(mode, {
      command: 'if [ "$LOGWARD_RULE" = slow ]; then while [ ! -f "$OUT/go" ]; do sleep 0.05; done; fi',
    });
    const slow = trackedRelease();
    await action.send(matchEvent(["a"], { rule: "slow" }), slow.release);
    await deliver(action, matchEvent(["b"], { rule: "fast" }));
    expect(slow.released()).toBe(false);
    fs.writeFileSync(file("go"), "");
    await slow.done;
  });

  it("runs up to `concurrency` commands of a rule at a time", async () => {
    const { action, file } = await setup(mode, {
      command: 'touch "$OUT/started-$LOGWARD_LINE"; while [ ! -f "$OUT/go" ]; do sleep 0.05; done',
      concurrency: 2,
    });
    const releases = ["a", "b", "c"].map(() => trackedRelease());
    for (const [i, line] of ["a", "b", "c"].entries()) await action.send(matchEvent([line]), releases[i]!.release);
    await waitFor(() => fs.existsSync(file("started-a")) && fs.existsSync(file("started-b")), "two runs at once");
    expect(fs.existsSync(file("started-c"))).toBe(false);
    fs.writeFileSync(file("go"), "");
    await Promise.all(releases.map((t) => t.done));
    expect(fs.existsSync(file("started-c"))).toBe(true);
  });

  it("logs output, exit code and duration; a failing command is not retried", async () => {
    const { action, file, logs } = await setup(mode, {
      command: 'echo "run" >> "$OUT/runs"; echo hello; echo oops >&2; exit 3',
    });
    await deliver(action, matchEvent(["a"]));
    await action.flush(10_000);
    await waitFor(() => logs.some((e) => e.msg === "oops"), "stderr to be logged");
    expect(fs.readFileSync(file("runs"), "utf8")).toBe("run\n");
    expect(logs).toContainEqual({
      level: "info",
      msg: "hello",
      fields: expect.objectContaining({ rule: "r", stream: "stdout" }),
    });
    expect(logs).toContainEqual({
      level: "warn",
      msg: "oops",
      fields: expect.objectContaining({ rule: "r", stream: "stderr" }),
    });
    const failed = logs.find((e) => e.msg === "command failed (exit code 3)");
    expect(failed?.fields).toMatchObject({ rule: "r", code: 3 });
    expect(failed?.fields.duration_ms).toBeTypeOf("number");
  });

  it("logs a command that cannot start and still releases the event", async () => {
    const { action, logs } = await setup(
      mode,
      { command: "true", cwd: "/nonexistent/logward-test" },
      { spareExpected: false },
    );
    await deliver(action, matchEvent(["a"]));
    const error = logs.find((e) => e.level === "error" && e.msg === "command could not be started");
    expect(error?.fields.err).toBe("working directory /nonexistent/logward-test does not exist");
  });

  it("logs a missing shell", async () => {
    const { action, logs } = await setup(mode, { command: "true", shell: "/nonexistent/sh" }, { spareExpected: false });
    await deliver(action, matchEvent(["a"]));
    const error = logs.find((e) => e.level === "error" && e.msg === "command could not be started");
    expect(error?.fields.err).toMatch(/ENOENT/);
  });

  it("kills the whole process group on timeout", async () => {
    const { action, file, logs } = await setup(mode, {
      command: 'sleep 300 & echo $! > "$OUT/grandchild"; wait',
      timeout: "1s",
    });
    const t = trackedRelease();
    await action.send(matchEvent(["a"]), t.release);
    const pid = Number(
      await waitFor(() => readIfExists(file("grandchild"))?.trim() || undefined, "the grandchild's pid"),
    );
    await t.done;
    await waitFor(() => gone(pid), "the grandchild to be killed");
    expect(logs.some((e) => e.level === "error" && /timed out after 1s/.test(e.msg))).toBe(true);
  });

  it("follows SIGTERM with SIGKILL for a group that ignores it", async () => {
    const { action, file } = await setup(mode, {
      command: `sh -c 'trap "" TERM; echo $$ > "$OUT/stubborn"; exec sleep 300' & wait`,
      timeout: "1s",
    });
    const t = trackedRelease();
    await action.send(matchEvent(["a"]), t.release);
    const pid = Number(
      await waitFor(() => readIfExists(file("stubborn"))?.trim() || undefined, "the stubborn child's pid"),
    );
    await t.done;
    await waitFor(() => gone(pid), "the stubborn child to be killed");
  });

  it("flush waits for queued runs; stop kills running ones", async () => {
    const { action, file } = await setup(mode, {
      command: 'cat >> "$OUT/runs"; if [ "$LOGWARD_LINE" = hang ]; then echo $$ > "$OUT/pid"; sleep 300; fi',
    });
    const releases = ["a", "b", "c"].map(() => trackedRelease());
    for (const [i, line] of ["a", "b", "c"].entries()) await action.send(matchEvent([line]), releases[i]!.release);
    await action.flush(15_000);
    expect(releases.every((t) => t.released())).toBe(true);
    expect(fs.readFileSync(file("runs"), "utf8")).toBe("a\nb\nc\n"); // b and c in one run
    await action.send(matchEvent(["hang"]), () => {});
    const pid = Number(await waitFor(() => readIfExists(file("pid"))?.trim() || undefined, "the hanging command"));
    await action.stop();
    await waitFor(() => gone(pid), "the hanging command to be killed");
  });
});
