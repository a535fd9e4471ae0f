// Unit tests of the agent's batches: an event is released only once every message holding one of its lines is
// stored, and the bytes written straight into a batch are exactly the batch format of its lines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BATCH_VERSION, batchPayload, batchPrefix } from "../../nats/batch-format.js";
import { OpenBatch, settle, type PendingEvent } from "./batches.js";

const limits = { lines: 3, bytes: 100 };
const event = (log: string[], name: string): PendingEvent => ({ remaining: 1, release: () => log.push(name) });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

describe("OpenBatch", () => {
  it("releases an event split over two messages only after both are stored, and each event once", () => {
    const released: string[] = [];
    const a = event(released, "a");
    const b = event(released, "b");
    const first = new OpenBatch("logs.app");
    const second = new OpenBatch("logs.app");
    first.tryAdd('{"line":"a1"}', limits, a);
    first.tryAdd('{"line":"a2"}', limits, a);
    second.tryAdd('{"line":"a3"}', limits, a);
    settle(a); // send() has added all of a's lines
    second.tryAdd('{"line":"b1"}', limits, b);
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
    batch.tryAdd('{"line":"a1"}', limits, a);
    batch.stored();
    expect(released).toEqual([]);
    settle(a);
    expect(released).toEqual(["a"]);
  });

  it("releases a one-line event held by its release directly, once the message is stored", () => {
    const released: string[] = [];
    const batch = new OpenBatch("s");
    batch.tryAdd('{"line":"x"}', limits, () => released.push("x"));
    batch.tryAdd('{"line":"y"}', limits, () => released.push("y"));
    expect(released).toEqual([]);
    batch.stored();
    expect(released).toEqual(["x", "y"]);
  });

  it("takes lines up to the line and byte limits, and any line when empty", () => {
    const e = event([], "e");
    const big = new OpenBatch("s");
    expect(big.tryAdd("x".repeat(1000), limits, e)).toBe(true); // a line cut to fit the server alone always goes
    const batch = new OpenBatch("s");
    expect(batch.tryAdd("x".repeat(40), limits, e)).toBe(true);
    expect(batch.tryAdd("x".repeat(40), limits, e)).toBe(true);
    expect(batch.tryAdd("x".repeat(40), limits, e)).toBe(false); // bytes
    expect(batch.tryAdd("é".repeat(10), limits, e)).toBe(false); // 20 bytes: counted in bytes, not characters
    expect(batch.tryAdd("x".repeat(10), limits, e)).toBe(true);
    expect(batch.tryAdd("x", limits, e)).toBe(false); // lines
    expect(batch.count).toBe(3);
  });

  it("publishes a lone line as itself and more as a versioned batch", () => {
    const e = event([], "e");
    const one = new OpenBatch("s");
    one.tryAdd('{"line":"x"}', limits, e);
    expect(text(one.payload())).toBe('{"line":"x"}');
    one.tryAdd('{"line":"y"}', limits, e);
    const body = JSON.parse(text(one.payload())) as { logward_batch: number; count: number; lines: unknown[] };
    expect(body).toMatchObject({ logward_batch: BATCH_VERSION, count: 2, lines: [{ line: "x" }, { line: "y" }] });
  });

  it("writes exactly batchPayload of the lines it took, within the limits, for any lines and limits", () => {
    const line = fc
      .record({
        line: fc.string({ unit: fc.constantFrom("a", "é", "😀", '"', "\\", "\n", "\u0000"), maxLength: 300 }),
      })
      .map((body) => JSON.stringify(body));
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 3000 }),
        (lines, maxLines, maxBytes) => {
          const bounds = { lines: maxLines, bytes: maxBytes };
          const batches: { batch: OpenBatch; lines: string[] }[] = [];
          for (const l of lines) {
            let open = batches[batches.length - 1];
            if (!open?.batch.tryAdd(l, bounds, () => {})) {
              open = { batch: new OpenBatch("s"), lines: [] };
              batches.push(open);
              expect(open.batch.tryAdd(l, bounds, () => {})).toBe(true);
            }
            open.lines.push(l);
          }
          for (const { batch, lines: taken } of batches) {
            const expected = taken.length === 1 ? (taken[0] as string) : batchPayload(taken);
            expect(text(batch.payload())).toBe(expected);
            expect(taken.length).toBeLessThanOrEqual(maxLines);
            const bytes = taken.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
            if (taken.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
            expect(batch.bytes).toBe(bytes);
          }
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });

  it("has room for the prefix of the largest batch the schema allows", () => {
    expect(batchPrefix(10_000_000).length).toBeLessThan(256);
  });
});
