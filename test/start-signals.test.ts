// Signals while `logward run` starts: a HUP or TERM during the start-up rotation pass (a big file compressed) must
// neither kill the process nor leave its pid file, a rotation lock or a temp file behind.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Every file under dir, relative (a temporary file the daemon renames meanwhile is not one). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (n) => statSync(join(dir, n), { throwIfNoEntry: false })?.isFile() === true,
  );
}

/** A daemon whose start-up rotation pass compresses a big file; resolves once that compression is under way. */
async function startDuringRotation(): Promise<{ dir: string; data: Buffer; running: Running; pidFile: string }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const data = randomBytes(48 * 1024 * 1024);
  writeFileSync(join(dir, "big.log"), data);
  writeFileSync(join(dir, "app.log"), "");
  const pidFile = join(dir, "logward.pid");
  writeFileSync(
    join(dir, "logward.yaml"),
    [
      `state_dir: ${join(dir, "state")}`,
      "sources:",
      `  app: { path: ${join(dir, "app.log")} }`,
      "rules:",
      "  all: { source: app, actions: [out] }",
      "actions:",
      `  out: { type: file, path: ${join(dir, "out.ndjson")} }`,
      "rotate:",
      `  big: { path: ${join(dir, "big.log")}, max_size: 1MiB, compress: true }`,
    ].join("\n") + "\n",
  );
  const running = startLogward(["run", "-c", join(dir, "logward.yaml"), "--pid-file", pidFile]);
  cleanups.push(() => void running.stop("SIGKILL"));
  await waitFor(
    () => allFiles(dir).some((n) => n.includes("big.log") && n !== "big.log"),
    "the start-up compression to begin",
    30_000,
  );
  expect(running.child.exitCode).toBe(null);
  return { dir, data, running, pidFile };
}

/** The data is whole in exactly one place (the live file or the archive), and nothing temporary is left. */
function expectWholeAndTidy(dir: string, data: Buffer): void {
  const files = allFiles(dir);
  expect(files.filter((n) => /logward-tmp|-lock|\.tmp-/.test(n))).toEqual([]);
  const copies = files.filter((n) => n.startsWith("big")).map((n) => join(dir, n));
  const whole = copies.filter((f) => {
    const bytes = readFileSync(f);
    if (!f.endsWith(".gz")) return bytes.equals(data);
    try {
      return gunzipSync(bytes).equals(data);
    } catch {
      return false;
    }
  });
  expect(whole.map((f) => relative(dir, f))).toHaveLength(1);
}

describe("signals during the start-up rotation pass", { timeout: 120_000 }, () => {
  it("SIGHUP is remembered and applied once running: the daemon lives on", async () => {
    const { dir, data, running, pidFile } = await startDuringRotation();
    running.child.kill("SIGHUP");
    await running.waitForLog("logward running", 60_000);
    await running.waitForLog("SIGHUP arrived while starting; applying it now");
    expect(running.child.exitCode).toBe(null);
    expect(await running.stop("SIGTERM")).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expectWholeAndTidy(dir, data);
  });

  it("SIGTERM ends the start cleanly: exit 0, no pid file, lock or temp file left", async () => {
    const { dir, data, running, pidFile } = await startDuringRotation();
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.logs().some((l) => l.msg === "logward running")).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expectWholeAndTidy(dir, data);
  });
});
