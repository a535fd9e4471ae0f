// DeliveryQueue on a FakeClock with a scripted transport: order, release, backpressure, retries, dead letters, flush,
// stop.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FakeClock } from "../../core/clock.js";
import { Metrics } from "../../core/metrics.js";
import { DeliveryQueue, type Encoder } from "./queue.js";
import { parseDeliveryConfig } from "./schema.js";
import type { Reply, Transport } from "./transport.js";
import { lineEvent, readNdjson, settle, step, tempDir, testContext, until } from "./testing/helpers.js";

const lines: Encoder<string> = {
  capacity: Infinity,
  parts: (event) => event.records.map((r) => ({ value: r.line, size: 1, bytes: Buffer.byteLength(r.line) })),
  request: (parts) => ({ url: "http://test.invalid/", method: "POST", headers: {}, body: JSON.stringify(parts) }),
};

function reply(status: number, headers: Record<string, string> = {}, body = ""): Reply {
  return { status, header: (name) => headers[name.toLowerCase()] ?? null, body };
}

interface Call {
  at: number;
  lines: string[];
}

const queues: DeliveryQueue<string>[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

function setup(
  config: Parameters<typeof parseDeliveryConfig>[0],
  answer: (call: number, signal: AbortSignal) => Promise<Reply> | Reply,
) {
  const clock = new FakeClock();
  const metrics = new Metrics();
  const stateDir = tempDir();
  const calls: Call[] = [];
  const transport: Transport = async (request, signal) => {
    calls.push({ at: clock.now(), lines: JSON.parse(request.body) as string[] });
    return answer(calls.length, signal);
  };
  const queue = new DeliveryQueue({
    config: parseDeliveryConfig(config),
    context: testContext("hook", { clock, stateDir, metrics }),
    encoder: lines,
    transport,
    random: () => 1,
  });
  queues.push(queue);
  const released: string[] = [];
  const send = (line: string) => queue.send(lineEvent(line), () => released.push(line));
  return { clock, calls, queue, released, send, metrics, deadLetter: join(stateDir, "dead-letter", "hook.ndjson") };
}

describe("DeliveryQueue", () => {
  it("delivers in order, one request in flight, releasing each event after its request succeeded", async () => {
    let open = 0;
    let maxOpen = 0;
    const { clock, calls, released, send } = setup({ batch: { size: 2, timeout: 0 } }, async () => {
      maxOpen = Math.max(maxOpen, ++open);
      await settle(2);
      open--;
      return reply(204);
    });
    for (const line of ["a", "b", "c", "d", "e"]) await send(line);
    await step(clock, 100);
    await until(() => released.length === 5);
    expect(calls.flatMap((c) => c.lines)).toEqual(["a", "b", "c", "d", "e"]);
    expect(released).toEqual(["a", "b", "c", "d", "e"]);
    expect(maxOpen).toBe(1);
  });

  it("waits batch.timeout for more events before sending", async () => {
    const { clock, calls, send } = setup({ batch: { size: 10, timeout: "2s" } }, () => reply(200));
    await send("a");
    await step(clock, 1900);
    expect(calls).toHaveLength(0);
    await step(clock, 200);
    expect(calls).toHaveLength(1);
  });

  it("makes send() wait while the queue is full, and admits in order as space frees", async () => {
    let finishFirst!: () => void;
    const first = new Promise<void>((resolve) => (finishFirst = resolve));
    const { clock, calls, queue, released, send } = setup(
      { batch: { size: 1, timeout: 0 }, queue_size: 2 },
      async (n) => {
        if (n === 1) await first;
        return reply(204);
      },
    );
    await send("a");
    await send("b");
    let thirdAccepted = false;
    const third = send("c").then(() => (thirdAccepted = true));
    await step(clock, 50);
    expect(thirdAccepted).toBe(false);
    expect(queue.depth).toBe(2);
    finishFirst();
    await third;
    await step(clock, 50);
    await until(() => released.length === 3);
    expect(calls.map((c) => c.lines[0])).toEqual(["a", "b", "c"]);
  });

  it("retries 5xx and network errors with backoff, then dead-letters after max_retries", async () => {
    const { clock, calls, released, send, deadLetter } = setup(
      { batch: { timeout: 0 }, max_retries: 2, backoff: { initial: "100ms", max: "1s" } },
      (n) => {
        if (n === 2) throw new Error("socket hang up");
        return reply(503, {}, "busy");
      },
    );
    await send("x");
    await step(clock, 1000);
    await until(() => released.length === 1);
    // backoff 100, 200 (jitter pinned high)
    expect(calls.map((c) => c.at - (calls[0] as Call).at)).toEqual([0, 100, 300]);
    const letters = readNdjson(deadLetter) as {
      action: string;
      reason: string;
      event: { records: { line: string }[] };
    }[];
    expect(letters).toHaveLength(1);
    expect(letters[0]?.action).toBe("hook");
    expect(letters[0]?.reason).toContain("HTTP 503");
    expect(letters[0]?.event.records[0]?.line).toBe("x");
  });

  it("dead-letters a 4xx at once without retrying", async () => {
    const { clock, calls, released, send, deadLetter } = setup({ batch: { timeout: 0 } }, () =>
      reply(404, {}, "Unknown Webhook"),
    );
    await send("x");
    await step(clock, 100);
    await until(() => released.length === 1);
    expect(calls).toHaveLength(1);
    expect((readNdjson(deadLetter)[0] as { reason: string }).reason).toContain(
      "HTTP 404: Unknown Webhook (not retried)",
    );
  });

  it("keeps rate_limit as a minimum gap between requests", async () => {
    const { clock, calls, send } = setup({ batch: { size: 1, timeout: 0 }, rate_limit: "500ms" }, () => reply(200));
    for (const line of ["a", "b", "c"]) await send(line);
    await step(clock, 1200);
    expect(calls.map((c) => c.at - (calls[0] as Call).at)).toEqual([0, 500, 1000]);
  });

  it("waits out a 429's Retry-After without spending retries, and gives up after max_rate_limited", async () => {
    const { clock, calls, released, send, deadLetter } = setup(
      { batch: { timeout: 0 }, max_retries: 0, max_rate_limited: 2 },
      () => reply(429, { "retry-after": "3" }),
    );
    await send("x");
    await step(clock, 7000, 50);
    await until(() => released.length === 1);
    expect(calls.map((c) => c.at - (calls[0] as Call).at)).toEqual([0, 3000, 6000]);
    expect(readNdjson(deadLetter)).toHaveLength(1);
  });

  it("aborts a request after the timeout and retries it", async () => {
    const { clock, calls, released, send } = setup(
      { batch: { timeout: 0 }, timeout: "1s", backoff: { initial: "100ms" } },
      (n, signal) => {
        if (n > 1) return reply(200);
        return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
      },
    );
    await send("x");
    await step(clock, 1500);
    await until(() => released.length === 1);
    expect(calls.map((c) => c.at - (calls[0] as Call).at)).toEqual([0, 1100]);
  });

  it("flush sends what is pending at once and resolves when it is delivered", async () => {
    const { clock, calls, queue, released, send } = setup({ batch: { timeout: "1h", max_wait: "1h" } }, () =>
      reply(200),
    );
    await send("a");
    await send("b");
    const flushed = queue.flush(10_000);
    await step(clock, 10);
    await flushed;
    expect(released).toEqual(["a", "b"]);
    expect(calls).toHaveLength(1);
  });

  it("flush gives up at its deadline when the endpoint is stuck, and stop leaves events unreleased", async () => {
    const { clock, queue, released, send } = setup(
      { batch: { timeout: 0 }, timeout: "1h" },
      (_n, signal) => new Promise((_r, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    );
    await send("a");
    let flushed = false;
    const flush = queue.flush(2000).then(() => (flushed = true));
    await step(clock, 1900, 100);
    expect(flushed).toBe(false);
    await step(clock, 200, 100);
    await flush;
    // The request in flight gets a grace to be answered before it is aborted.
    const stopping = queue.stop();
    await step(clock, 2000, 100);
    await stopping;
    expect(released).toEqual([]);
  });

  it("a request answered within the stop's grace counts as delivered: released, not sent again next run", async () => {
    let answer: (() => void) | undefined;
    const { queue, released, send } = setup(
      { batch: { timeout: 0 }, timeout: "1h" },
      () => new Promise<Reply>((resolve) => (answer = () => resolve(reply(200)))),
    );
    await send("a");
    await until(() => answer !== undefined);
    const stopping = queue.stop();
    answer?.();
    await stopping;
    expect(released).toEqual(["a"]);
  });

  it("stop lets waiting senders return without releasing their events", async () => {
    const { queue, released, send } = setup({ batch: { timeout: "1h" }, queue_size: 1 }, () => reply(200));
    await send("a");
    const waiting = send("b");
    await queue.stop();
    await waiting;
    expect(released).toEqual([]);
  });

  it(
    "counts sent, retried, rate-limited and dead-lettered events, " + "queue depth and request durations per action",
    async () => {
      const { clock, metrics, released, send } = setup(
        { batch: { size: 1, timeout: 0 }, max_retries: 1, backoff: { initial: "10ms" } },
        (n) => {
          if (n === 1) return reply(429, { "retry-after": "0.1" });
          if (n === 2) return reply(500);
          if (n === 3) return reply(200);
          return reply(400);
        },
      );
      await send("ok");
      await send("bad");
      await step(clock, 500);
      await until(() => released.length === 2);
      const text = await metrics.text();
      expect(text).toContain('logward_delivery_events_sent_total{action="hook"} 1');
      expect(text).toContain('logward_delivery_retries_total{action="hook"} 1');
      expect(text).toContain('logward_delivery_rate_limited_total{action="hook"} 1');
      expect(text).toContain('logward_delivery_dead_lettered_total{action="hook"} 1');
      expect(text).toContain('logward_delivery_queue_depth{action="hook"} 0');
      expect(text).toContain('logward_delivery_request_seconds_count{action="hook",result="ok"} 1');
    },
  );
});
