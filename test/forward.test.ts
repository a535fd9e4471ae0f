// End to end: `logward forward` on a directory tree to a local server that answers like Discord.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../src/actions/delivery/testing/server.js";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let server: TestServer;
let running: Running | undefined;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  server = await startServer(() => ({ status: 200, body: { id: "1" } }));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await server.close();
  cleanup();
});

/** Every line the server received, in order, from Discord-style JSON bodies. */
function deliveredLines(): string[] {
  return server.received.flatMap((r) => (JSON.parse(r.body) as { content: string }).content.split("\n"));
}

describe("logward forward", () => {
  it("follows the newest log of a tree, switching when a newer file appears, in order", async () => {
    const night1 = join(dir, "2026-11-20");
    mkdirSync(night1);
    const first = join(night1, "log_a.log");
    writeFileSync(first, "old line before start\n");
    const url = `${server.url}/api/webhooks/1/token`;
    running = startLogward([
      "forward",
      dir,
      "--to",
      url,
      "--type",
      "discord",
      "--newest",
      "--recursive",
      "--rescan",
      "250ms",
      "--batch-size",
      "3",
      "--batch-timeout",
      "200ms",
      "--state-dir",
      join(dir, ".state"),
    ]);
    await running.waitForLog("logward running");
    appendFileSync(first, "a1\na2\n");
    await waitFor(() => deliveredLines().includes("a2"), "a2 delivered");
    const night2 = join(dir, "2026-11-21");
    mkdirSync(night2);
    const second = join(night2, "log_b.log");
    writeFileSync(second, "b1\n");
    appendFileSync(second, "b2\n");
    await waitFor(() => deliveredLines().includes("b2"), "b2 delivered");
    expect(deliveredLines()).toEqual(["a1", "a2", "b1", "b2"]);
    expect(server.received.every((r) => r.url.endsWith("?wait=true"))).toBe(true);
  });

  it("delivers lines still batched when SIGTERM arrives before exiting", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    running = startLogward([
      "forward",
      log,
      "--to",
      `${server.url}/hook`,
      "--batch-size",
      "3",
      "--batch-timeout",
      "1h",
      "--state-dir",
      join(dir, ".state"),
    ]);
    await running.waitForLog("logward running");
    // One write: a full batch of three goes at once (proving the read), the fourth waits for its batch.
    appendFileSync(log, "line 1\nline 2\nline 3\npending 4\n");
    await waitFor(() => server.received.length === 1, "the full batch");
    expect(await running.stop("SIGTERM")).toBe(0);
    const bodies = server.received.map((r) => JSON.parse(r.body) as { events: { lines: string[] }[] });
    expect(bodies.flatMap((b) => b.events.flatMap((e) => e.lines))).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "pending 4",
    ]);
  });

  it("reads the old Discord monitor's variables when given no PATH and no --to", async () => {
    const logs = join(dir, "ekos");
    mkdirSync(join(logs, "night"), { recursive: true });
    writeFileSync(join(logs, "night", "a.log"), "");
    writeFileSync(
      join(dir, ".env"),
      `EKOS_LOGS_DIRECTORY=${logs}\nDISCORD_WEBHOOK_URL=${server.url}/api/webhooks/9/x\nBATCH_SIZE=2\nBATCH_TIMEOUT=0.2\nFILE_CHECK_INTERVAL=0.25\n`,
    );
    running = startLogward(["forward", "--state-dir", join(dir, ".state")], {
      cwd: dir,
      env: { EKOS_LOGS_DIRECTORY: "", DISCORD_WEBHOOK_URL: "" },
    });
    await running.waitForLog("logward running");
    appendFileSync(join(logs, "night", "a.log"), "guiding started\n");
    await waitFor(() => deliveredLines().includes("guiding started"), "line delivered");
  });
});
