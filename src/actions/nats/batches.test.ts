// Unit tests of the agent's batches: an event is released only once every message holding one of its lines is stored.
import { describe, expect, it } from "vitest";
import { BATCH_VERSION } from "../../nats/batch-format.js";
import { OpenBatch, settle, type PendingEvent } from "./batches.js";

const limits = { lines: 3, bytes: 100 };
const event = (log: string[], name: string): PendingEvent => ({ remaining: 1, release: () => log.push(name) });

describe("OpenBatch", () => {
  it("releases an event split over two messages only after both are stored, and each event once", () => {
    const released: string[] = [];
    const a = event(released, "a");
    const b = event(released, "b");
    const first = new OpenBatch("logs.app");
    const second = new OpenBatch("logs.app");
    first.add('{"line":"a1"}', 13, a);
    first.add('{"line":"a2"}', 13, a);
    second.add('{"line":"a3"}', 13, a);
    settle(a); // send() has added all of a's lines
    second.add('{"line":"b1"}', 13, b);
    settle(b);
    expect(first.events).toEqual([a]);
    second.stored();
    expect(released).toEqual(["b"]);
    first.stored();
    expect(released).toEqual(["b", "a"]);
  });

  it("does not release while send() is still adding the event's lines", () => {
    const released: string[] = [];
    const a = event(released, "a");
    const batch = new OpenBatch("logs.app");
    batch.add('{"line":"a1"}', 13, a);
    batch.stored();
    expect(released).toEqual([]);
    settle(a);
    expect(released).toEqual(["a"]);
  });

  it("takes lines up to the line and byte limits, and any line when empty", () => {
    const batch = new OpenBatch("s");
    expect(batch.fits(1000, limits)).toBe(true); // a line cut to fit the server alone always goes
    const e = event([], "e");
    batch.add("x".repeat(40), 40, e);
    expect(batch.fits(40, limits)).toBe(true);
    batch.add("x".repeat(40), 40, e);
    expect(batch.fits(40, limits)).toBe(false); // bytes
    expect(batch.fits(10, limits)).toBe(true);
    batch.add("x".repeat(10), 10, e);
    expect(batch.fits(1, limits)).toBe(false); // lines
  });

  it("publishes a lone line as itself and more as a versioned batch", () => {
    const e = event([], "e");
    const one = new OpenBatch("s");
    one.add('{"line":"x"}', 12, e);
    expect(one.payload()).toBe('{"line":"x"}');
    one.add('{"line":"y"}', 12, e);
    const body = JSON.parse(one.payload()) as { logward_batch: number; count: number; lines: unknown[] };
    expect(body).toMatchObject({ logward_batch: BATCH_VERSION, count: 2, lines: [{ line: "x" }, { line: "y" }] });
  });
});
