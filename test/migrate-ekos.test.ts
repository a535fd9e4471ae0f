// The EKOS Discord monitor's .env, unchanged: `logward forward` with no PATH and no --to applies the old tool's
// defaults for every variable the .env leaves out (not logward's own forward defaults).
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../src/actions/delivery/testing/server.js";
import { EKOS_DEFAULTS, forwardConfig, legacyForwardOptions } from "../src/cli/forward.js";
import { validateConfig } from "../src/config/index.js";
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

/** Only the two variables the old monitor required: everything else must take the old tool's default. */
const minimalEnv = (logs: string) => ({
  EKOS_LOGS_DIRECTORY: logs,
  DISCORD_WEBHOOK_URL: "https://discord.com/api/webhooks/1/x",
});

describe("EKOS monitor defaults", () => {
  it("resolve to BATCH_SIZE 10, BATCH_TIMEOUT 30 s, RATE_LIMIT_DELAY 1 s, FILE_CHECK_INTERVAL 60 s, MAX_RETRIES 3", () => {
    const legacy = legacyForwardOptions(minimalEnv(dir));
    const config = validateConfig(forwardConfig(legacy.paths, legacy.opts, undefined), {
      origin: "test",
    }) as unknown as {
      sources: Record<string, { rescan: number; follow: string; recursive: boolean }>;
      actions: Record<
        string,
        { type: string; batch: { size: number; timeout: number }; rate_limit: number; max_retries: number }
      >;
    };
    const action = config.actions.to;
    expect(action?.type).toBe("discord");
    expect(action?.batch.size).toBe(10);
    expect(action?.batch.timeout).toBe(30_000);
    expect(action?.rate_limit).toBe(1_000);
    expect(action?.max_retries).toBe(3);
    expect(config.sources.forward?.rescan).toBe(60_000);
    expect(config.sources.forward).toMatchObject({ follow: "newest", recursive: true });
  });

  it("keeps a value the .env does give, and treats an empty variable as unset", () => {
    const legacy = legacyForwardOptions({ ...minimalEnv(dir), BATCH_SIZE: "25", MAX_RETRIES: "" });
    expect(legacy.opts.batchSize).toBe("25");
    expect(legacy.opts.maxRetries).toBe(EKOS_DEFAULTS.MAX_RETRIES);
  });

  it("sends 25 lines as 10 now, 10 a rate-limit delay later, and 5 only when the batch timeout ends", async () => {
    const logs = join(dir, "ekos");
    mkdirSync(join(logs, "night"), { recursive: true });
    const log = join(logs, "night", "a.log");
    writeFileSync(log, "");
    // The old .env, with the batch timeout shortened so the test need not wait 30 s; nothing else set.
    writeFileSync(
      join(dir, ".env"),
      `EKOS_LOGS_DIRECTORY=${logs}\nDISCORD_WEBHOOK_URL=${server.url}/api/webhooks/9/x\nBATCH_TIMEOUT=3\n`,
    );
    running = startLogward(["forward", "--state-dir", join(dir, ".state")], {
      cwd: dir,
      env: { EKOS_LOGS_DIRECTORY: "", DISCORD_WEBHOOK_URL: "", BATCH_SIZE: "", RATE_LIMIT_DELAY: "" },
    });
    await running.waitForLog("logward running");
    const written = Date.now();
    appendFileSync(log, Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`).join(""));
    await waitFor(() => server.received.length === 3, "three messages");
    const lines = server.received.map((r) => (JSON.parse(r.body) as { content: string }).content.split("\n"));
    expect(lines.map((l) => l.length)).toEqual([10, 10, 5]);
    expect(lines.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i + 1}`));
    const [first, second, third] = server.received.map((r) => r.at) as [number, number, number];
    expect(first - written).toBeLessThan(3000); // a full batch does not wait for the timeout
    // RATE_LIMIT_DELAY 1.0 between request starts, and the first starts after the lines are written. Arrivals
    // carry each request's own delays (the first one's connect, a loaded machine), so their gap proves nothing;
    // the second's arrival can be no earlier than one delay after the write.
    expect(second - written).toBeGreaterThanOrEqual(1000);
    expect(third - written).toBeGreaterThanOrEqual(3000); // the partial batch waits for BATCH_TIMEOUT
  }, 20_000);
});
