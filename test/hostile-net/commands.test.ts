// Hostile commands and fields against a real daemon's exec action: 20 MB of output, JSON keys and fields too big
// for the kernel's environment limits. After each, the daemon must be alive and still run commands.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, tempDir, type Running } from "../helpers.js";
import { alive, logsMatching, memoryMb, startDaemon, waitFor } from "./support.js";

let dir: string;
let cleanup: () => void;
let daemon: Running | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir("logward-hostile-exec-")));
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  cleanup();
});

async function daemonWith(command: string, sourceKeys = ""): Promise<Running> {
  writeFileSync(join(dir, "app.log"), "");
  daemon = startDaemon(dir, [
    "state_dir: ./state",
    `sources: { app: { path: ./app.log${sourceKeys} } }`,
    "rules:",
    "  loud: { source: app, match: LOUD, actions: [loud] }",
    "  ping: { source: app, match: PING, actions: [copy] }",
    "actions:",
    `  loud: { type: exec, command: ${JSON.stringify(command)} }`,
    '  copy: { type: exec, command: "cat >> copy.txt" }',
  ]);
  await daemon.waitForLog("logward running");
  return daemon;
}

function append(line: string): void {
  appendFileSync(join(dir, "app.log"), `${line}\n`);
}

async function stillActs(running: Running, marker: string): Promise<void> {
  append(`PING ${marker}`);
  const copy = join(dir, "copy.txt");
  await waitFor(
    () => existsSync(copy) && readFileSync(copy, "utf8").includes(`PING ${marker}`),
    `the exec rule to act on PING ${marker}; stderr:\n${running.stderr().slice(-2000)}`,
  );
  expect(alive(running)).toBe(true);
}

describe("a command's output", () => {
  it("20 MB of output (one endless line, then 2.5 million short ones) leaves a small log and little memory", async () => {
    const command = "head -c 20000000 /dev/zero | tr '\\0' x; yes 'spam line' | head -c 20000000 >&2";
    const running = await daemonWith(command);
    const pid = running.child.pid as number;
    const before = memoryMb(pid);
    append("LOUD please");
    await running.waitForLog("command finished", 30_000);
    const notLogged = await waitFor(() => logsMatching(running, /bytes not logged/)[0], "the dropped-bytes count");
    expect(Number(notLogged.dropped_bytes)).toBeGreaterThan(39_900_000);
    const after = memoryMb(pid);
    expect(running.stderr().length).toBeLessThan(200_000); // it was 344 MB of log
    expect(after.peak - before.rss, `peak ${after.peak} MB, before ${before.rss} MB`).toBeLessThan(100);
    await stillActs(running, "after 20 MB");
  });
});

describe("fields too big for the environment", () => {
  it("a JSON key over 128 KiB and 2.4 MB of fields still run the command (no E2BIG)", async () => {
    const command = "/usr/bin/printenv LOGWARD_RULE >> ran.txt"; // a program, not a builtin: execve sees the env
    const running = await daemonWith(command, ", parser: json, max_line_bytes: 8MiB");
    const ran = join(dir, "ran.txt");
    append(JSON.stringify({ ["k".repeat(200 * 1024)]: 1, msg: "LOUD long key" }));
    await waitFor(() => readLines(ran).length === 1, `the first run; stderr:\n${running.stderr().slice(-1500)}`);
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, "v".repeat(60_000)]));
    append(JSON.stringify({ ...fields, msg: "LOUD many fields" }));
    await waitFor(() => readLines(ran).length === 2, `the second run; stderr:\n${running.stderr().slice(-1500)}`);
    expect(readLines(ran)).toEqual(["loud", "loud"]);
    expect(logsMatching(running, /could not be started/)).toEqual([]);
    await stillActs(running, "after big fields");
  });
});
