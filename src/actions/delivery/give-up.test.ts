// give_up_after on a FakeClock: absurd server windows are not waited for, retries stop at the bound.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FakeClock } from "../../core/clock.js";
import { DeliveryQueue, type Encoder } from "./queue.js";
import { parseDeliveryConfig } from "./schema.js";
import type { Reply } from "./transport.js";
import { lineEvent, readNdjson, step, tempDir, testContext, until } from "./testing/helpers.js";

const lines: Encoder<string> = {
  capacity: Infinity,
  parts: (event) => event.records.map((r) => ({ value: r.line, size: 1, bytes: Buffer.byteLength(r.line) })),
  request: (parts) => ({ url: "http://test.invalid/", method: "POST", headers: {}, body: JSON.stringify(parts) }),
};

function reply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, header: (name) => headers[name.toLowerCase()] ?? null, body: "" };
}

const queues: DeliveryQueue<string>[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

function setup(config: Parameters<typeof parseDeliveryConfig>[0], answer: (call: number) => Reply) {
  const clock = new FakeClock();
  const stateDir = tempDir();
  const calls: number[] = [];
  const queue = new DeliveryQueue({
    config: parseDeliveryConfig(config),
    context: testContext("hook", { clock, stateDir }),
    encoder: lines,
    transport: async () => {
      calls.push(clock.now());
      return answer(calls.length);
    },
    random: () => 1,
  });
  queues.push(queue);
  const released: string[] = [];
  const send = (line: string) => queue.send(lineEvent(line), () => released.push(line));
  const deadLetters = () => readNdjson(join(stateDir, "dead-letter", "hook.ndjson")) as { reason: string }[];
  return { clock, calls, released, send, deadLetters };
}

describe("give_up_after", () => {
  it("dead-letters a 429 asking for 31 years at once, and holds the next request only backoff.max", async () => {
    const { clock, calls, released, send, deadLetters } = setup(
      { batch: { size: 1, timeout: 0 }, backoff: { initial: "100ms", max: "1s" }, give_up_after: "1m" },
      (n) => (n === 1 ? reply(429, { "retry-after": "1000000000" }) : reply(200)),
    );
    await send("a");
    await send("b");
    await step(clock, 1500, 50);
    await until(() => released.length === 2);
    expect(calls).toHaveLength(2);
    // The window closed for backoff.max (the dead-letter write is real I/O, so the clock may run past it).
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(1000);
    expect(deadLetters()).toHaveLength(1);
    expect(deadLetters()[0]?.reason).toMatch(/^HTTP 429: the server asks to wait .*past give_up_after \(1m\)/);
  });

  it("stops retrying 5xx once the next retry would end past give_up_after", async () => {
    const { clock, calls, released, send, deadLetters } = setup(
      { batch: { timeout: 0 }, max_retries: 100, backoff: { initial: "1s", max: "1s" }, give_up_after: "5s" },
      () => reply(503),
    );
    await send("x");
    await step(clock, 8000, 50);
    await until(() => released.length === 1);
    expect(calls.map((at) => at - (calls[0] as number))).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(deadLetters()[0]?.reason).toMatch(/HTTP 503: next retry in 1s, past give_up_after \(5s\)/);
  });

  it("still waits a Retry-After that fits, as an HTTP date too", async () => {
    const { clock, calls, released, send } = setup({ batch: { timeout: 0 } }, (n) =>
      n === 1 ? reply(429, { "retry-after": new Date(clock.now() + 30_000).toUTCString() }) : reply(200),
    );
    await send("x");
    await step(clock, 31_000, 100);
    await until(() => released.length === 1);
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(29_000);
  });
});
