// The nats source against a real nats-server: instances sharing a durable consumer split the work,
// acks wait for delivery, a killed instance's messages go to another, and --once catches up.
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import type { ActionContext, SourceContext } from "../src/core/component.js";
import { MemoryCheckpointStore } from "../src/core/checkpoint.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord, RecordBatch } from "../src/core/record.js";
import { natsAction } from "../src/actions/nats/index.js";
import { natsSource, NatsSource } from "../src/sources/nats/index.js";
import { waitFor } from "./helpers.js";
import { haveNatsServer, NatsServer } from "./nats-server.js";

let server: NatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
const sources: NatsSource[] = [];

beforeAll(async () => {
  if (!haveNatsServer) return;
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
  js = jetstream(nc);
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop(1000)));
  if (haveNatsServer && !server.running) await server.restart(); // a failed test may have left it down
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

interface Instance {
  source: NatsSource;
  metrics: Metrics;
  records: LogRecord[];
  batches: RecordBatch[];
  /** Releases of the batches this instance was told to hold (delivery still "in progress"). */
  holding: (() => void)[];
}

/**
 * A source instance whose pipeline delivers each batch on the next turn, or holds it when hold() says so; with
 * acceptMs, a busy pipeline that takes that long to accept each batch.
 */
async function startInstance(
  options: Record<string, unknown>,
  hold: (batch: RecordBatch) => boolean = () => false,
  once = false,
  acceptMs = 0,
): Promise<Instance> {
  const metrics = new Metrics();
  const instance: Instance = {
    source: undefined as unknown as NatsSource,
    metrics,
    records: [],
    batches: [],
    holding: [],
  };
  const context: SourceContext = {
    name: "shared",
    clock: systemClock,
    logger: silentLogger,
    metrics,
    stateDir: "/nonexistent",
    checkpoints: new MemoryCheckpointStore(),
    once,
    emit: async (batch) => {
      if (acceptMs > 0) await new Promise((resolve) => setTimeout(resolve, acceptMs));
      instance.batches.push(batch);
      instance.records.push(...batch.records);
      const release = batch.ack.hold();
      if (hold(batch)) instance.holding.push(release);
      else setImmediate(release);
    },
  };
  instance.source = natsSource.create(
    natsSource.schema.parse({ servers: server.url, ...options }),
    context,
  ) as NatsSource;
  sources.push(instance.source);
  await instance.source.start();
  return instance;
}

async function createStream(name: string, subjects: string[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects });
}

async function publish(subject: string, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i += 100) {
    const n = Math.min(100, from + count - i);
    await Promise.all(
      Array.from({ length: n }, (_, k) =>
        js.publish(subject, JSON.stringify({ line: `m${i + k}`, source: "app", time: 0, fields: {} })),
      ),
    );
  }
}

async function sourceCounter(instance: Instance, name: string): Promise<number> {
  const line = (await instance.metrics.text()).split("\n").find((l) => l.startsWith(`logward_nats_${name}_total{`));
  return line ? Number(line.split(" ").pop()) : 0;
}

async function consumerInfo(stream: string, consumer: string) {
  return (await jetstreamManager(nc)).consumers.info(stream, consumer);
}

describe.skipIf(!haveNatsServer)("nats source", () => {
  it("splits the work between two instances: every message processed by exactly one, none lost", async () => {
    await createStream("SPLIT", ["split.>"]);
    const options = { stream: "SPLIT", consumer: "analysers", batch: 20 };
    const a = await startInstance(options);
    const b = await startInstance(options);
    await waitFor(
      async () => (await consumerInfo("SPLIT", "analysers").catch(() => undefined))?.num_waiting === 2,
      "both instances pulling",
    );

    const total = 2000;
    await publish("split.app", total);
    await waitFor(() => a.records.length + b.records.length >= total, "every message received");
    await waitFor(
      async () => (await consumerInfo("SPLIT", "analysers")).num_ack_pending === 0,
      "every message acknowledged",
    );

    const seenA = a.records.map((r) => r.line);
    const seenB = b.records.map((r) => r.line);
    expect(seenA.length).toBeGreaterThan(0);
    expect(seenB.length).toBeGreaterThan(0);
    expect(seenA.filter((l) => seenB.includes(l))).toEqual([]);
    expect(new Set([...seenA, ...seenB]).size).toBe(total);
    expect(seenA.length + seenB.length).toBe(total);
    const info = await consumerInfo("SPLIT", "analysers");
    expect(info.num_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect(a.batches.every((batch) => batch.records.length <= 20)).toBe(true);
  });

  it("redelivers a killed instance's unacknowledged messages to the other instance", async () => {
    await createStream("KILL", ["kill.>"]);
    const options = { stream: "KILL", consumer: "analysers", batch: 10, ack_wait: "2s" };
    const doomed = await startInstance(options, () => true); // its actions never finish
    await publish("kill.app", 50);
    await waitFor(() => doomed.records.length >= 50, "the doomed instance holding every message");
    expect((await consumerInfo("KILL", "analysers")).num_ack_pending).toBe(50);

    await doomed.source.abort();
    const survivor = await startInstance(options);
    await waitFor(() => survivor.records.length >= 50, "the survivor receiving them after ack_wait", 30_000);
    await waitFor(async () => (await consumerInfo("KILL", "analysers")).num_ack_pending === 0, "all acknowledged");
    expect(new Set(survivor.records.map((r) => r.line))).toEqual(new Set(doomed.records.map((r) => r.line)));
    expect(survivor.records).toHaveLength(50); // each redelivered message processed once
  });

  it("a slow analyser with a long prefetch acts on no message twice: each is kept alive from its arrival", async () => {
    await createStream("PREFETCH", ["prefetch.>"]);
    await publish("prefetch.app", 90);
    // ack_wait 1 s, and each batch of 30 takes 1.5 s to be accepted: what was pulled behind the first batch
    // waits longer than ack_wait before it is emitted. Unless the source keeps it alive, the server
    // redelivers it meanwhile and it is acted on twice.
    const options = { stream: "PREFETCH", consumer: "analysers", batch: 30, ack_wait: "1s" };
    const slow = await startInstance(options, () => false, false, 1500);
    await waitFor(() => slow.records.length >= 90, "every message processed", 60_000);
    await waitFor(
      async () => {
        const info = await consumerInfo("PREFETCH", "analysers");
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      "every message acknowledged",
      60_000,
    );
    const lines = slow.records.map((r) => r.line);
    expect(lines.filter((line, i) => lines.indexOf(line) !== i)).toEqual([]);
    expect(lines).toHaveLength(90);
    expect((await consumerInfo("PREFETCH", "analysers")).num_redelivered).toBe(0);
  });

  it("reads a huge malformed batch, a newer format and bad entries as records saying so, counted, and goes on", async () => {
    await createStream("HOSTILE", ["hostile.>"]);
    const batchHeader = (version: string) => {
      const h = headers();
      h.set("Logward-Batch", version);
      return { headers: h };
    };
    await js.publish("hostile.app", "{" + "x".repeat(900_000), batchHeader("1"));
    await js.publish(
      "hostile.app",
      JSON.stringify({ logward_batch: 2, lines: [{ line: "future" }] }),
      batchHeader("2"),
    );
    const mixed = { logward_batch: 1, count: 3, line: "notice", lines: [{ line: "good" }, 42, { no: "line" }] };
    await js.publish("hostile.app", JSON.stringify(mixed), batchHeader("1"));
    await js.publish("hostile.app", JSON.stringify({ line: "after", source: "app", time: 0, fields: {} }));
    const inst = await startInstance({ stream: "HOSTILE", consumer: "c" });
    await waitFor(() => inst.records.length >= 6, "every message read");
    await waitFor(async () => (await consumerInfo("HOSTILE", "c")).num_ack_pending === 0, "all acknowledged");
    const errors = inst.records.map((r) => r.fields.decode_error);
    expect(errors[0]).toMatch(/malformed batch/);
    expect(inst.records[0]?.line.length).toBe(4096);
    expect(errors[1]).toMatch(/version 2/);
    expect(inst.records.slice(2).map((r) => r.line)).toEqual(["good", "42", '{"no":"line"}', "after"]);
    expect(errors.slice(2)).toEqual([
      undefined,
      expect.stringMatching(/entry/),
      expect.stringMatching(/entry/),
      undefined,
    ]);
    expect(await sourceCounter(inst, "decode_errors")).toBe(4);
    expect(await sourceCounter(inst, "received")).toBe(4);
    expect(await sourceCounter(inst, "acked")).toBe(4);
  });

  it("keeps held messages alive past ack_wait while their delivery is in progress", async () => {
    await createStream("SLOW", ["slow.>"]);
    const options = { stream: "SLOW", consumer: "analysers", batch: 10, ack_wait: "2s" };
    const slow = await startInstance(options, () => true);
    await publish("slow.app", 10);
    await waitFor(() => slow.records.length >= 10, "the slow instance holding the batch");
    const other = await startInstance(options);
    // Two and a half ack_waits with the batch held: without the in-progress signal the server would
    // redeliver it to the other instance. (A negative check needs a wait; it cannot pass by being slow.)
    await new Promise((r) => setTimeout(r, 5000));
    expect(other.records).toEqual([]);
    expect((await consumerInfo("SLOW", "analysers")).num_redelivered).toBe(0);
    for (const release of slow.holding) release();
    await waitFor(
      async () => (await consumerInfo("SLOW", "analysers")).num_ack_pending === 0,
      "acknowledged once delivered",
    );
  });

  it("acknowledges only when the batch's ack completes, and stop() waits for it", async () => {
    await createStream("ACK", ["ack.>"]);
    const inst = await startInstance({ stream: "ACK", consumer: "c", batch: 5 }, () => true);
    await publish("ack.app", 5);
    await waitFor(() => inst.records.length >= 5, "the batch");
    expect((await consumerInfo("ACK", "c")).num_ack_pending).toBe(5);
    const stopping = inst.source.stop(30_000);
    inst.holding.forEach((release) => release());
    await stopping;
    const info = await consumerInfo("ACK", "c");
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(5);
  });

  it("keeps consuming across a server restart, losing nothing", async () => {
    await createStream("BOUNCE", ["bounce.>"]);
    const inst = await startInstance({ stream: "BOUNCE", consumer: "analysers", batch: 50, ack_wait: "2s" });
    await publish("bounce.app", 500);
    await waitFor(() => inst.records.length >= 500, "the first half");
    await server.restart();
    await nc.close(); // the test's own client: a fresh one rather than waiting for its reconnect
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    await publish("bounce.app", 500, 500);
    await waitFor(
      () => new Set(inst.records.map((r) => r.line)).size >= 1000,
      "the second half after the restart",
      60_000,
    );
    await waitFor(
      async () => (await consumerInfo("BOUNCE", "analysers")).num_ack_pending === 0,
      "everything acknowledged",
      30_000,
    );
  }, 90_000);

  it("reads only the subjects of its filter, and applies a changed ack_wait to the existing consumer", async () => {
    await createStream("MULTI", ["multi.>"]);
    await publish("multi.a", 10);
    await publish("multi.b", 10, 100);
    const first = await startInstance({ stream: "MULTI", consumer: "only-a", subjects: "multi.a" });
    await waitFor(() => first.records.length >= 10, "the filtered messages");
    await waitFor(async () => (await consumerInfo("MULTI", "only-a")).num_ack_pending === 0, "their acknowledgements");
    expect(first.records.map((r) => r.line)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    await first.source.stop();
    expect((await consumerInfo("MULTI", "only-a")).config.ack_wait).toBe(30e9);

    const second = await startInstance({ stream: "MULTI", consumer: "only-a", subjects: "multi.a", ack_wait: "45s" });
    await waitFor(
      async () => (await consumerInfo("MULTI", "only-a")).config.ack_wait === 45e9,
      "the new ack_wait on the consumer",
    );
    expect(second.records).toEqual([]);
  });

  it("with --once, catches up with what the nats action published, keeping each record's origin", async () => {
    const actionContext: ActionContext = {
      name: "bus",
      clock: systemClock,
      logger: silentLogger,
      metrics: new Metrics(),
      stateDir: "/nonexistent",
    };
    const action = natsAction.create(
      natsAction.schema.parse({ servers: server.url, stream: "FLEET", subject: "fleet.{source}" }),
      actionContext,
    );
    let released = 0;
    const records = Array.from({ length: 300 }, (_, i) => ({
      source: "app",
      file: "/var/log/app.log",
      offset: i * 10,
      line: `line ${i}`,
      time: Date.UTC(2026, 0, 1) + i,
      fields: { i },
    }));
    for (let i = 0; i < records.length; i += 30) {
      await action.send(
        {
          kind: "match",
          rule: "ship",
          source: "app",
          time: 0,
          records: records.slice(i, i + 30),
          fields: {},
          count: 1,
          suppressed: 0,
        },
        () => released++,
      );
    }
    await waitFor(() => released === 10, "the agent's events published");
    await action.stop();

    const inst = await startInstance({ stream: "FLEET", consumer: "analysers", batch: 50 }, () => false, true);
    await inst.source.caughtUp();
    expect(inst.records).toHaveLength(300);
    expect(inst.records[7]).toEqual({
      source: "shared",
      line: "line 7",
      time: Date.UTC(2026, 0, 1) + 7,
      host: expect.any(String),
      file: "/var/log/app.log",
      offset: 70,
      fields: { i: 7, origin_source: "app", origin_rule: "ship" },
    });
    await inst.source.stop();
    expect((await consumerInfo("FLEET", "analysers")).num_ack_pending).toBe(0);
  });

  it("with --once and no stream yet, is caught up at once", async () => {
    const inst = await startInstance({ stream: "NOSUCH", consumer: "analysers" }, () => false, true);
    await inst.source.caughtUp();
    expect(inst.records).toEqual([]);
  });
});
