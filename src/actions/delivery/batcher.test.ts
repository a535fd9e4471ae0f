// Batching decisions on a FakeClock: count, bytes, capacity, timeout restarts, max_wait cap, drains, partial events.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { Batcher, type BatchLimits, type Part } from "./batcher.js";

const limits: BatchLimits = { maxEvents: 3, maxBytes: 1000, capacity: Infinity, timeoutMs: 1000, maxWaitMs: 5000 };

function part(text: string, size = text.length + 1): Part<string> {
  return { value: text, size, bytes: Buffer.byteLength(text) };
}

function setup(overrides: Partial<BatchLimits> = {}) {
  const clock = new FakeClock();
  let dueCalls = 0;
  const batcher = new Batcher<string, string>({ ...limits, ...overrides }, clock, () => dueCalls++);
  let seq = 0;
  const add = (name: string, parts = [part(name)]) => batcher.add(++seq, name, parts);
  return { clock, batcher, add, dueCalls: () => dueCalls };
}

describe("Batcher", () => {
  it("is due once batch.size events are pending, and a request carries at most that many", () => {
    const { batcher, add } = setup();
    add("a");
    add("b");
    expect(batcher.due()).toBe(false);
    add("c");
    add("d");
    expect(batcher.due()).toBe(true);
    expect(batcher.take()).toEqual({ parts: ["a", "b", "c"], carried: ["a", "b", "c"], completed: ["a", "b", "c"] });
    expect(batcher.length).toBe(1);
  });

  it("is due once max_bytes are pending and keeps each request within it", () => {
    const { batcher, add } = setup({ maxEvents: 100, maxBytes: 10 });
    add("1234");
    add("5678");
    expect(batcher.due()).toBe(false);
    add("90ab");
    expect(batcher.due()).toBe(true);
    expect(batcher.take()?.parts).toEqual(["1234", "5678"]);
  });

  it("sends a single part larger than max_bytes alone instead of never", () => {
    const { batcher, add } = setup({ maxBytes: 4 });
    add("0123456789");
    add("x");
    expect(batcher.due()).toBe(true);
    expect(batcher.take()?.parts).toEqual(["0123456789"]);
    expect(batcher.take()?.parts).toEqual(["x"]);
  });

  it("restarts the timeout with each new event", () => {
    const { clock, batcher, add, dueCalls } = setup({ maxEvents: 100 });
    add("a");
    clock.advance(900);
    add("b");
    clock.advance(900);
    expect(batcher.due()).toBe(false);
    expect(dueCalls()).toBe(0);
    clock.advance(100);
    expect(dueCalls()).toBe(1);
    expect(batcher.due()).toBe(true);
    expect(batcher.take()?.parts).toEqual(["a", "b"]);
  });

  it("caps the wait at max_wait from the oldest event so a steady trickle still flushes", () => {
    const { clock, batcher, add, dueCalls } = setup({ maxEvents: 100 });
    for (let i = 0; i < 9; i++) {
      add(`e${i}`);
      clock.advance(500); // always inside the 1 s timeout
    }
    expect(dueCalls()).toBe(0);
    add("e9");
    clock.advance(500); // 5 s after the first event
    expect(dueCalls()).toBe(1);
    expect(batcher.due()).toBe(true);
    expect(batcher.take()?.parts).toHaveLength(10);
  });

  it("once due by time, sends everything pending then even if more arrives before it is taken", () => {
    const { clock, batcher, add } = setup({ maxEvents: 2 });
    add("a");
    clock.advance(1000);
    expect(batcher.due()).toBe(true);
    add("b"); // arrives while the first request is being prepared
    expect(batcher.take()?.parts).toEqual(["a", "b"]);
    add("c");
    expect(batcher.due()).toBe(false); // c arrived after the drain mark: it waits for its own timeout
  });

  it("drains up to a sequence number immediately (flush)", () => {
    const { batcher, add } = setup({ maxEvents: 100 });
    add("a");
    add("b");
    batcher.drainThrough(2);
    expect(batcher.due()).toBe(true);
    expect(batcher.take()?.parts).toEqual(["a", "b"]);
    expect(batcher.due()).toBe(false);
  });

  it("packs parts up to the capacity and continues a split event in the next request", () => {
    const { batcher, add } = setup({ maxEvents: 100, capacity: 10 });
    add("x", [part("aaaa"), part("bbbb")]); // sizes 5 + 5
    add("y", [part("cccc"), part("dd")]);
    expect(batcher.due()).toBe(true); // more than one request's worth
    expect(batcher.take()).toEqual({ parts: ["aaaa", "bbbb"], carried: ["x"], completed: ["x"] });
    expect(batcher.take()).toEqual({ parts: ["cccc", "dd"], carried: ["y"], completed: ["y"] });
    add("z", [part("1111"), part("2222"), part("3333")]);
    batcher.drainThrough(3);
    expect(batcher.take()).toEqual({ parts: ["1111", "2222"], carried: ["z"], completed: [] });
    expect(batcher.take()).toEqual({ parts: ["3333"], carried: ["z"], completed: ["z"] });
    expect(batcher.take()).toBeUndefined();
  });

  it("is due when its timer fires even if now() is a little short of the deadline (Node timers can fire early)", () => {
    class EarlyClock extends FakeClock {
      override setTimeout(fn: () => void, ms: number) {
        return super.setTimeout(fn, ms - 1);
      }
    }
    const clock = new EarlyClock();
    let due = 0;
    const batcher = new Batcher<string, string>(limits, clock, () => due++);
    batcher.add(1, "a", [part("a")]);
    clock.advance(999);
    expect(due).toBe(1);
    expect(batcher.due()).toBe(true);
  });

  it("stops its timer", () => {
    const { clock, batcher, add } = setup();
    add("a");
    expect(clock.pendingTimers()).toBe(1);
    batcher.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
