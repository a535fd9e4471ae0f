// A stop while NATS is down: drain_timeout bounds the wait, and what was undelivered arrives after the next start.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runLogward, startLogward, tempDir, waitFor } from "./helpers.js";
import { haveNatsServer, NatsServer, streamLines } from "./nats-server.js";
import { countLines } from "./stop.helpers.js";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** The exit must come well before the default drain (30 s) would have ended; a loaded machine adds seconds. */
const DRAIN_S = 1;
const EXIT_WITHIN_MS = 20_000;

describe.skipIf(!haveNatsServer)("drain_timeout", () => {
  it("stops with NATS down after drain_timeout; what it could not send arrives once after a restart", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const server = await NatsServer.start();
    cleanups.push(() => server.stop());
    const log = join(dir, "app.log");
    const written = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`);
    writeFileSync(log, written.slice(0, 200).join("\n") + "\n");
    const config = join(dir, "logward.yaml");
    writeFileSync(
      config,
      [
        `state_dir: ${join(dir, "state")}`,
        `drain_timeout: ${DRAIN_S}s`,
        `sources: { app: { path: ${log}, start_at: beginning } }`,
        "rules: { all: { source: app, actions: [ship] } }",
        `actions: { ship: { type: nats, servers: ["${server.url}"], stream: LOGS, subject: logs.app } }`,
      ].join("\n"),
    );
    // Before logward made the stream, it has no lines.
    const stored = async () =>
      (await streamLines(server.url, "LOGS").catch(() => [])).map((r: Record<string, unknown>) => String(r.line));
    const first = startLogward(["run", "-c", config]);
    cleanups.push(() => void first.stop("SIGKILL"));
    await waitFor(async () => (await stored()).length >= 200, "the first 200 lines in the stream", 30_000);

    await server.kill();
    await first.waitForLog("NATS connection lost; reconnecting", 30_000);
    appendFileSync(log, written.slice(200).join("\n") + "\n");
    await waitFor(
      () => first.logs().some((l) => l.msg === "NATS publish failed; retrying"),
      "a failed publish",
      30_000,
    );
    first.child.kill("SIGTERM");
    const draining = await first.waitForLog(/^draining and stopping/);
    expect(draining.drain_timeout_s).toBe(DRAIN_S);
    const code = await Promise.race([
      first.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), EXIT_WITHIN_MS)),
    ]);
    expect(code).toBe(0);

    await server.restart();
    const second = startLogward(["run", "-c", config]);
    cleanups.push(() => void second.stop("SIGKILL"));
    await waitFor(async () => (await stored()).length >= 300, "all 300 lines after the restart", 60_000);
    await second.stop();
    const counts = countLines(await stored());
    expect({
      missing: written.filter((l) => !counts.has(l)),
      twice: written.filter((l) => (counts.get(l) ?? 0) > 1),
    }).toEqual({ missing: [], twice: [] });
  });
});

describe("drain_timeout in the config", () => {
  it("is a duration at the top level, shown by check, and a bad one names its key", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const good = join(dir, "good.yaml");
    writeFileSync(good, `state_dir: ${join(dir, "state")}\ndrain_timeout: 2m\n`);
    const ok = await runLogward(["check", "-c", good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("drain      up to 2m at a stop");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, `state_dir: ${join(dir, "state")}\ndrain_timeout: soon\n`);
    const failed = await runLogward(["check", "-c", bad]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/bad\.yaml:2:\d+ drain_timeout/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  });
});
