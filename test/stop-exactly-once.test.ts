// Ctrl-C mid-backlog behind a rate-limited Discord webhook, then a restart: every line delivered exactly once.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type Responder, type TestServer } from "../src/actions/delivery/testing/server.js";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";
import { countLines, discordBucket, seeded } from "./stop.helpers.js";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Lines the server took (2xx answers only), from Discord JSON bodies. */
function delivered(server: TestServer): string[] {
  return server.received
    .filter((r) => r.status !== undefined && r.status < 300)
    .flatMap((r) => (JSON.parse(r.body) as { content: string }).content.split("\n"));
}

async function forward(dir: string, server: TestServer): Promise<Running> {
  const running = startLogward([
    "forward",
    join(dir, "logs"),
    "--to",
    `${server.url}/api/webhooks/1/tok`,
    "--type",
    "discord",
    "--newest",
    "--recursive",
    "--rescan",
    "100ms",
    "--batch-size",
    "20",
    "--batch-timeout",
    "50ms",
    "--state-dir",
    join(dir, ".state"),
  ]);
  cleanups.push(() => void running.stop("SIGKILL"));
  await running.waitForLog("logward running");
  return running;
}

describe("a clean stop (SIGINT) mid-backlog behind a rate-limited Discord webhook", () => {
  // More seeds: LOGWARD_STOP_SEEDS=1,2,3,4,5,6 (each about 30 s).
  const seeds = (process.env.LOGWARD_STOP_SEEDS ?? "1").split(",").map(Number);
  for (const seed of seeds) {
    it(`delivers every line exactly once across stops and restarts (seed ${seed})`, async () => {
      const random = seeded(seed);
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const server = await startServer(discordBucket(5, 700, () => Math.floor(random() * 150)) as Responder);
      cleanups.push(() => server.close());
      mkdirSync(join(dir, "logs", "2026-11-20"), { recursive: true });
      const day1 = join(dir, "logs", "2026-11-20", "a.log");
      writeFileSync(day1, "");
      const written: string[] = [];
      const write = (file: string, n: number) => {
        const lines = Array.from({ length: n }, (_, i) => `line ${written.length + i + 1} ${"x".repeat(40)}`);
        written.push(...lines);
        appendFileSync(file, lines.join("\n") + "\n");
      };
      let running = await forward(dir, server);
      write(day1, 50);
      await waitFor(() => delivered(server).length >= 50, "day 1 delivered");
      // The night ends: a new day's file appears with a big backlog at once.
      mkdirSync(join(dir, "logs", "2026-11-21"));
      const day2 = join(dir, "logs", "2026-11-21", "b.log");
      write(day2, 1500);
      let current = day2;
      for (let round = 0; round < 6; round++) {
        await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
        if (random() < 0.3) {
          current = join(dir, "logs", `2026-11-2${round + 2}`, "c.log");
          mkdirSync(dirname(current));
          write(current, 400);
          await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
        }
        expect(await running.stop("SIGINT")).toBe(0);
        write(current, 100); // lines written while stopped
        running = await forward(dir, server);
      }
      await waitFor(() => delivered(server).length >= written.length, "every line delivered", 60_000);
      expect(await running.stop("SIGINT")).toBe(0);
      const counts = countLines(delivered(server));
      const twice = written.filter((l) => (counts.get(l) ?? 0) > 1);
      const missing = written.filter((l) => !counts.has(l));
      expect({ twice: twice.length, missing: missing.length }).toEqual({ twice: 0, missing: 0 });
      expect(counts.size).toBe(written.length);
    }, 120_000);
  }

  it("a second Ctrl-C ends a drain stuck behind a long rate limit at once, and still repeats nothing", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // Two requests go through, then every request waits a 60 s window: the drain cannot finish in its 30 s.
    const bucket = discordBucket(2, 60_000);
    const server = await startServer(bucket as Responder);
    cleanups.push(() => server.close());
    mkdirSync(join(dir, "logs", "2026-11-20"), { recursive: true });
    const log = join(dir, "logs", "2026-11-20", "a.log");
    writeFileSync(log, "");
    let running = await forward(dir, server);
    const written = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`);
    appendFileSync(log, written.join("\n") + "\n");
    await waitFor(() => delivered(server).length >= 40, "the first two requests");
    const stopped = Date.now();
    running.child.kill("SIGINT");
    await running.waitForLog(/^draining and stopping/);
    running.child.kill("SIGINT");
    expect(await running.exited).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(delivered(server)).toHaveLength(40);
    // The next run (a fresh server window) sends the rest, each line once.
    const next = await startServer(discordBucket(100, 1000) as Responder);
    cleanups.push(() => next.close());
    running = await forward(dir, next);
    await waitFor(() => delivered(next).length >= 460, "the rest delivered", 30_000);
    expect(await running.stop("SIGINT")).toBe(0);
    expect([...delivered(server), ...delivered(next)]).toEqual(written);
  }, 60_000);
});
