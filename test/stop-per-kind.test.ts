// Exactly once across clean stops, per action kind: a drain that runs out of time leaves undelivered lines for the
// next start and commits every delivered one, even in the middle of a read batch.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type Responder, type TestServer } from "../src/actions/delivery/testing/server.js";
import { validateConfig } from "../src/config/load.js";
import { silentLogger } from "../src/core/logger.js";
import { runDaemon } from "../src/daemon/run.js";
import { tempDir, waitFor } from "./helpers.js";
import { haveNatsServer, linesOf, NatsServer } from "./nats-server.js";
import { countLines, seeded } from "./stop.helpers.js";

const LINES = 3000;
let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Kind {
  /** The action's config (the state dir is given for output files). */
  action: (dir: string) => Promise<Record<string, unknown>>;
  /** Every line delivered so far, repeats included. */
  delivered: (dir: string) => Promise<string[]>;
}

/**
 * Write a backlog, then start and stop the daemon three times at seeded moments with a short drain (so it runs out
 * of time mid-batch), then once more until everything is there: each line must be delivered exactly once.
 */
async function exactlyOnce(kind: Kind, seed: number): Promise<void> {
  const random = seeded(seed);
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, "app.log");
  const written = Array.from({ length: LINES }, (_, i) => `line ${i + 1} ${"x".repeat(60)}`);
  appendFileSync(log, written.join("\n") + "\n");
  const config = validateConfig({
    state_dir: join(dir, "state"),
    sources: { app: { path: log, start_at: "beginning" } },
    rules: { all: { source: "app", actions: ["out"] } },
    actions: { out: await kind.action(dir) },
  });
  for (let run = 0; run < 4; run++) {
    const last = run === 3;
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const exit = runDaemon(config, { logger: silentLogger, until, drainTimeoutMs: last ? 30_000 : 150 });
    const before = (await kind.delivered(dir)).length;
    const target = last ? LINES : Math.min(LINES, before + 1 + Math.floor(random() * 400));
    await waitFor(async () => (await kind.delivered(dir)).length >= target, `run ${run}: ${target} lines`, 60_000);
    stop();
    expect(await exit).toBe(0);
  }
  const counts = countLines(await kind.delivered(dir));
  const twice = written.filter((l) => (counts.get(l) ?? 0) > 1).length;
  const missing = written.filter((l) => !counts.has(l)).length;
  expect({ twice, missing }).toEqual({ twice: 0, missing: 0 });
}

/** A webhook answering 200 after a few ms, so a backlog takes a while to deliver. */
async function slowServer(answer: Responder): Promise<TestServer> {
  const server = await startServer(answer);
  cleanups.push(() => server.close());
  return server;
}

const ok = (body: object) => (() => ({ status: 200, body, delayMs: 5 })) as Responder;
const ndjsonLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { line: string }).line)
    : [];
const chatLines = (text: string) => text.split("\n").filter((l) => l.startsWith("line "));

describe("exactly once across clean stops with drains that run out of time", { timeout: 120_000 }, () => {
  it("file action", async () => {
    await exactlyOnce(
      {
        action: async (dir) => ({ type: "file", path: join(dir, "out.ndjson") }),
        delivered: async (dir) => ndjsonLines(join(dir, "out.ndjson")),
      },
      1,
    );
  });

  it("exec action", async () => {
    await exactlyOnce(
      {
        action: async (dir) => ({
          type: "exec",
          command: `sleep 0.01; cat >> ${join(dir, "out.txt")}`,
          max_queue_lines: 100_000,
        }),
        delivered: async (dir) =>
          existsSync(join(dir, "out.txt")) ? chatLines(readFileSync(join(dir, "out.txt"), "utf8")) : [],
      },
      2,
    );
  });

  it("exec action: a command killed by the stop leaves its lines for the next start", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, "app.log");
    const out = join(dir, "out.txt");
    appendFileSync(log, "");
    const config = validateConfig({
      state_dir: join(dir, "state"),
      sources: { app: { path: log } },
      rules: { all: { source: "app", actions: ["out"] } },
      // The command takes its lines, then is slower than the drain: killed before it writes them.
      actions: { out: { type: "exec", command: `lines=$(cat); sleep 5; echo "$lines" >> ${out}` } },
    });
    let stop!: () => void;
    let exit = runDaemon(config, {
      logger: silentLogger,
      until: new Promise<void>((resolve) => (stop = resolve)),
      drainTimeoutMs: 100,
    });
    await new Promise((r) => setTimeout(r, 500));
    appendFileSync(log, "slow one\n");
    await waitFor(() => existsSync(join(dir, "state", "checkpoints.json")), "a checkpoint", 10_000);
    await new Promise((r) => setTimeout(r, 300)); // the command is running
    stop();
    expect(await exit).toBe(0);
    expect(existsSync(out)).toBe(false);
    // Next start: quick command, the line comes again.
    const quick = { ...config, actions: { out: { ...config.actions.out, command: `cat >> ${out}` } } };
    exit = runDaemon(quick as typeof config, {
      logger: silentLogger,
      until: new Promise<void>((resolve) => (stop = resolve)),
    });
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8") === "slow one\n", "the line run again", 10_000);
    stop();
    expect(await exit).toBe(0);
  });

  for (const type of ["http", "discord", "slack"] as const) {
    it(`${type} action`, async () => {
      const server = await slowServer(ok({ id: "1" }));
      const bodies = () => server.received.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as unknown);
      await exactlyOnce(
        {
          action: async () => ({
            type,
            url: `${server.url}/hook`,
            batch: { size: 10, timeout: "20ms" },
            rate_limit: 0,
          }),
          delivered: async () =>
            bodies().flatMap((b) =>
              type === "http"
                ? (b as { events: { lines: string[] }[] }).events.flatMap((e) => e.lines)
                : chatLines(type === "discord" ? (b as { content: string }).content : (b as { text: string }).text),
            ),
        },
        3,
      );
    });
  }

  it.skipIf(!haveNatsServer)("nats action", async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.stop());
    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    const jsm = await jetstreamManager(nc);
    let seen: string[] = [];
    let nextSeq = 1;
    await exactlyOnce(
      {
        action: async () => ({ type: "nats", servers: nats.url, stream: "LOGS", subject: "logs.{source}" }),
        delivered: async () => {
          const info = await jsm.streams.info("LOGS").catch(() => undefined);
          for (; info && nextSeq <= info.state.last_seq; nextSeq++) {
            const msg = await jsm.streams.getMessage("LOGS", { seq: nextSeq });
            seen = [...seen, ...linesOf(msg).map((body) => String(body.line))];
          }
          return seen;
        },
      },
      4,
    );
  });
});
