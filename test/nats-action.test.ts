// The nats action against a real nats-server: stream creation, PubAck before release, outages and restarts.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import type { Action, ActionContext } from "../src/core/component.js";
import type { LogEvent } from "../src/core/event.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord } from "../src/core/record.js";
import { natsAction } from "../src/actions/nats/index.js";
import { waitFor } from "./helpers.js";
import { haveNatsServer, linesOf, NatsServer } from "./nats-server.js";

let server: NatsServer;
const actions: Action[] = [];
const clients: NatsConnection[] = [];

beforeAll(async () => {
  if (haveNatsServer) server = await NatsServer.start();
});
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
  await Promise.all(clients.splice(0).map((c) => c.close()));
  if (haveNatsServer && !server.running) await server.restart(); // a failed test may have left it down
});
afterAll(async () => {
  await server?.stop();
});

function createAction(options: Record<string, unknown>, metrics = new Metrics()): Action {
  const context: ActionContext = {
    name: "bus",
    clock: systemClock,
    logger: silentLogger,
    metrics,
    stateDir: "/nonexistent",
  };
  const action = natsAction.create(natsAction.schema.parse({ servers: server.url, ...options }), context);
  actions.push(action);
  return action;
}

function record(line: string, extra: Partial<LogRecord> = {}): LogRecord {
  return {
    source: "app",
    file: "/var/log/app.log",
    offset: 42,
    line,
    time: Date.UTC(2026, 0, 2, 3, 4, 5),
    fields: { level: "error" },
    ...extra,
  };
}

function event(records: LogRecord[], extra: Partial<LogEvent> = {}): LogEvent {
  return {
    kind: "match",
    rule: "errors",
    source: "app",
    time: Date.now(),
    records,
    fields: {},
    count: 1,
    suppressed: 0,
    ...extra,
  };
}

/** Send and return a flag that turns true when the action releases the event. */
async function sendTracked(action: Action, e: LogEvent): Promise<{ released: boolean }> {
  const state = { released: false };
  await action.send(e, () => (state.released = true));
  return state;
}

async function client(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  clients.push(nc);
  return nc;
}

/** Every line of the stream (each entry of a batch), decoded, in order. */
async function readStream(stream: string): Promise<{ subject: string; body: Record<string, unknown> }[]> {
  const jsm = await jetstreamManager(await client());
  const { state } = await jsm.streams.info(stream);
  const out = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq });
    for (const body of linesOf(msg)) out.push({ subject: msg?.subject ?? "", body });
  }
  return out;
}

async function metricValue(metrics: Metrics, name: string): Promise<number> {
  const line = (await metrics.text()).split("\n").find((l) => l.startsWith(`logward_${name}{`));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe.skipIf(!haveNatsServer)("nats action", () => {
  it("gathers many events' lines into few versioned batches, in order, each released after its PubAck", async () => {
    const metrics = new Metrics();
    const action = createAction({ stream: "BATCH", subject: "batch.{source}", max_batch_lines: 1000 }, metrics);
    const states: { released: boolean }[] = [];
    for (let i = 0; i < 2500; i++) states.push(await sendTracked(action, event([record(`line ${i}`)])));
    await waitFor(() => states.every((s) => s.released), "every event released");
    const lines = await readStream("BATCH");
    expect(lines.map((l) => l.body.line)).toEqual(states.map((_, i) => `line ${i}`));
    const jsm = await jetstreamManager(await client());
    const { state } = await jsm.streams.info("BATCH");
    expect(state.messages).toBeLessThanOrEqual(10);
    const first = await jsm.streams.getMessage("BATCH", { seq: state.first_seq });
    expect(first?.header.get("Logward-Batch")).toBe("1");
    expect(await metricValue(metrics, "nats_published_lines_total")).toBe(2500);
    expect(await metricValue(metrics, "nats_published_total")).toBe(state.messages);
  });

  it("creates the stream and publishes each record as a JSON line, released after the PubAck", async () => {
    const action = createAction({
      stream: "CREATE",
      subject: "logs.{host}.{source}",
      max_age: "7d",
      retention: "limits",
    });
    const sent = await sendTracked(
      action,
      event([record("first", { host: "web1.example.com" }), record("second", { source: "my.app" })]),
    );
    const alert = await sendTracked(
      action,
      event([], {
        kind: "alert",
        rule: "traffic",
        message: "High traffic generated an alert - hits = 5",
        data: { hits: 5 },
      }),
    );
    await waitFor(() => sent.released && alert.released, "both events released");

    const jsm = await jetstreamManager(await client());
    const info = await jsm.streams.info("CREATE");
    expect(info.config.subjects).toEqual(["logs.>"]);
    expect(info.config.max_age).toBe(7 * 86_400 * 1e9);
    const messages = await readStream("CREATE");
    expect(messages).toHaveLength(3);
    expect(messages[0]).toEqual({
      subject: "logs.web1_example_com.app",
      body: {
        time: "2026-01-02T03:04:05.000Z",
        source: "app",
        host: "web1.example.com",
        file: "/var/log/app.log",
        offset: 42,
        line: "first",
        fields: { level: "error" },
        rule: "errors",
      },
    });
    expect(messages[1]?.subject).toMatch(/^logs\.[A-Za-z0-9_-]+\.my_app$/);
    expect(messages[2]?.body).toMatchObject({
      line: "High traffic generated an alert - hits = 5",
      rule: "traffic",
      kind: "alert",
      data: { hits: 5 },
    });
  });

  it("holds the release while the server is down, and delivers once it is back", async () => {
    const metrics = new Metrics();
    const action = createAction({ stream: "OUTAGE", subject: "outage.{source}", ack_timeout: "1s" }, metrics);
    const before = await sendTracked(action, event([record("before outage")]));
    await waitFor(() => before.released, "the first event released");

    await server.kill();
    const during = await sendTracked(action, event([record("during outage")]));
    await waitFor(
      async () => (await metricValue(metrics, "nats_publish_failures_total")) >= 1,
      "a failed publish attempt",
    );
    await action.flush(300); // out of time: resolves without delivering
    expect(during.released).toBe(false);

    await server.restart();
    await waitFor(() => during.released, "the release after the server came back", 30_000);
    expect((await readStream("OUTAGE")).map((m) => m.body.line)).toEqual(["before outage", "during outage"]);
  });

  it("loses nothing when the server is killed and restarted mid-stream", async () => {
    const metrics = new Metrics();
    const action = createAction(
      { stream: "RESTART", subject: "restart.{source}", ack_timeout: "1s", max_in_flight: 64 },
      metrics,
    );
    const total = 3000;
    const states: { released: boolean }[] = [];
    let restarted: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      states.push(await sendTracked(action, event([record(`line ${i}`)])));
      if (i === 1000) restarted = server.restart();
    }
    await restarted;
    await waitFor(() => states.every((s) => s.released), "every event released", 60_000);
    const lines = (await readStream("RESTART")).map((m) => String(m.body.line));
    expect(new Set(lines).size).toBe(total);
    // Retries carry the same Nats-Msg-Id, so copies that did land the first time are dropped by the server.
    expect(lines.length - total).toBeLessThanOrEqual(await metricValue(metrics, "nats_publish_failures_total"));
  }, 120_000);

  it("leaves an existing stream alone and refuses a template without a fixed prefix unless subjects are given", async () => {
    const jsm = await jetstreamManager(await client());
    await jsm.streams.add({ name: "EXISTING", subjects: ["mine.>"], max_msgs: 10 });
    const action = createAction({ stream: "EXISTING", subject: "mine.{rule}", max_age: "1d" });
    const sent = await sendTracked(action, event([record("x")]));
    await waitFor(() => sent.released, "the release");
    const info = await jsm.streams.info("EXISTING");
    expect(info.config.max_msgs).toBe(10);
    expect(info.config.max_age).toBe(0);

    expect(natsAction.schema.safeParse({ servers: "nats://h", stream: "S", subject: "{source}.logs" }).success).toBe(
      false,
    );
    expect(
      natsAction.schema.safeParse({ servers: "nats://h", stream: "S", subject: "{source}.logs", subjects: "*.logs" })
        .success,
    ).toBe(true);
    expect(natsAction.schema.safeParse({ servers: "nats://h", stream: "S", subject: "logs.{nope}" }).success).toBe(
      false,
    );
    expect(natsAction.schema.safeParse({ servers: "nats://h", stream: "S.X" }).success).toBe(false);
  });
});

describe.skipIf(!haveNatsServer)("nats action with credentials", () => {
  let secured: NatsServer;
  beforeAll(async () => {
    secured = await NatsServer.start(["--user", "agent", "--pass", "s3cret"]);
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it("publishes with user and pass, and never releases with wrong ones", async () => {
    const context = (metrics: Metrics): ActionContext => ({
      name: "bus",
      clock: systemClock,
      logger: silentLogger,
      metrics,
      stateDir: "/nonexistent",
    });
    const good = natsAction.create(
      natsAction.schema.parse({
        servers: secured.url,
        stream: "AUTH",
        subject: "auth.{source}",
        user: "agent",
        pass: "s3cret",
      }),
      context(new Metrics()),
    );
    const bad = natsAction.create(
      natsAction.schema.parse({
        servers: secured.url,
        stream: "AUTH",
        subject: "auth.{source}",
        user: "agent",
        pass: "wrong",
      }),
      context(new Metrics()),
    );
    actions.push(good, bad);
    const ok = await sendTracked(good, event([record("authorised")]));
    const refused = await sendTracked(bad, event([record("refused")]));
    await waitFor(() => ok.released, "the authorised publish");
    await bad.flush(500);
    expect(refused.released).toBe(false);
  });
});
