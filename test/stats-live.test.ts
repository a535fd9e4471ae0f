// End to end: `logward stats` following a live file (alert, then recovery through the clock) and reading live stdin.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runLogward, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function combinedLine(ms: number, path = "/api/live/1"): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `192.0.2.7 - - [${stamp}] "GET ${path} HTTP/1.1" 200 99 "-" "live-test"`;
}

function objects(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("logward stats (live)", () => {
  const dirs: (() => void)[] = [];
  let running: Running | undefined;
  afterEach(async () => {
    await running?.stop("SIGKILL");
    running = undefined;
    for (const cleanup of dirs.splice(0)) cleanup();
  });

  it("follows a file, alerts on a burst, and recovers through the clock once the log goes quiet", async () => {
    const { dir, cleanup } = tempDir("logward-stats-live-");
    dirs.push(cleanup);
    const file = join(dir, "access.log");
    writeFileSync(file, `${combinedLine(Date.now() - 3_600_000)}\n`); // old content: following starts at the end
    running = startLogward([
      "--log-level",
      "debug",
      "stats",
      file,
      "--json",
      "--interval",
      "1s",
      "--window",
      "2s",
      "--threshold",
      "2",
      "--lateness",
      "1s",
    ]);
    await running.waitForLog("following", 20_000);
    const proc = running;
    // a burst: 10 lines every 100 ms (100 req/s) until the alert shows
    const firing = await waitFor(
      () => {
        appendFileSync(file, `${Array.from({ length: 10 }, () => combinedLine(Date.now())).join("\n")}\n`);
        return objects(proc.stdout()).find((o) => o.type === "alert" && o.state === "firing");
      },
      "the high-traffic alert",
      20_000,
    );
    expect(firing.hits as number).toBeGreaterThan(4);
    // nothing more is written: event time follows the clock and the alert recovers
    const recovered = await waitFor(
      () => objects(proc.stdout()).find((o) => o.type === "alert" && o.state === "recovered"),
      "the recovery",
      20_000,
    );
    expect(Date.parse(recovered.at as string)).toBeGreaterThan(Date.parse(firing.at as string));
    const stats = objects(proc.stdout()).filter((o) => o.type === "stats");
    expect(stats.some((s) => (s.sections as { name: string }[])[0]?.name === "/api")).toBe(true);
    expect(stats.reduce((n, s) => n + (s.hits as number), 0)).toBeGreaterThan(0);
    expect(await proc.stop("SIGTERM")).toBe(0);
  });

  it("reads live stdin until it ends, then reports and exits", async () => {
    const now = Date.now();
    const input = `${Array.from({ length: 30 }, (_, i) => combinedLine(now - 60_000 + i * 100, i % 2 ? "/a/x" : "/b")).join("\n")}\n`;
    const result = await runLogward(["stats", "--json", "--interval", "1s"], { input });
    expect(result.code, result.stderr).toBe(0);
    const stats = objects(result.stdout).filter((o) => o.type === "stats");
    expect(stats.reduce((n, s) => n + (s.hits as number), 0)).toBe(30);
    expect(stats.reduce((n, s) => n + (s.late as number), 0)).toBe(0);
  });
});
