// Logmon users open `logward view FILE` and expect to see the file, like tail: its last lines on open.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let running: Running | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir("logward-migrate-view-")));
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

async function view(args: string[]): Promise<string> {
  running = startLogward(["view", "--listen", "127.0.0.1:0", ...args]);
  const r = running;
  return waitFor(() => /logward view: open (http:\/\/\S+)/.exec(r.stderr())?.[1], `the URL:\n${r.stderr()}`, 20_000);
}

async function tailLines(url: string, source: string): Promise<string[]> {
  // The printed URL carries the token made at start; the API takes it as a Bearer header.
  const token = new URL(url).searchParams.get("token");
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  const res = await fetch(`${url.replace(/\?.*$/, "")}api/tail?source=${source}&lines=5000`, { headers });
  return res.ok ? ((await res.json()) as { lines: { line: string }[] }).lines.map((l) => l.line) : [];
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe("logward view shows a file's last lines on open", () => {
  it.each([
    [[], 100, "the default 100"],
    [["-n", "7"], 7, "-n 7"],
    [["--lines", "2500"], 1000, "--lines 2500 (more than the file has: all of it)"],
  ])("%j → %i lines: %s", async (flags, count) => {
    const log = join(dir, "app.log");
    writeFileSync(log, numbered(1, 1000).join("\n") + "\n");
    const url = await view([log, ...flags]);
    const expected = numbered(1001 - count, 1000);
    await waitFor(async () => (await tailLines(url, "app.log")).length >= count, `${count} lines`);
    expect(await tailLines(url, "app.log")).toEqual(expected);
    appendFileSync(log, "line 1001\n");
    await waitFor(async () => (await tailLines(url, "app.log")).includes("line 1001"), "the new line");
    expect(await tailLines(url, "app.log")).toEqual([...expected, "line 1001"]);
  });

  it("--from-start reads the whole file; -n 0 only what comes", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, numbered(1, 300).join("\n") + "\n");
    const url = await view([log, "--from-start"]);
    await waitFor(async () => (await tailLines(url, "app.log")).length === 300, "300 lines");
    await running?.stop();
    const url0 = await view([log, "-n", "0"]);
    appendFileSync(log, "fresh\n");
    await waitFor(async () => (await tailLines(url0, "app.log")).includes("fresh"), "the new line");
    expect(await tailLines(url0, "app.log")).toEqual(["fresh"]);
  });
});

describe("the page colours a line by its level field", () => {
  it("takes the first level word of the line: a WARN line mentioning an alert is a warning", async () => {
    const ui = new URL("../src/web/ui/tail.js", import.meta.url).href;
    const { levelOf } = (await import(ui)) as { levelOf: (line: string) => string };
    expect(levelOf("2026-12-06 10:00:01 WARN disk usage alert threshold reached")).toBe("warn");
    expect(levelOf('{"level":"warn","msg":"alert sent to pager"}')).toBe("warn");
    expect(levelOf("10:00:02 INFO error budget alert cleared")).toBe("info");
    expect(levelOf("10:00:03 ERROR alert could not be sent, warning the operator")).toBe("error");
    expect(levelOf("Dec  6 10:00:04 host kernel: ALERT temperature")).toBe("error");
    expect(levelOf("no level at all")).toBe("");
  });
});
