import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, test } from "vitest";
import { SseClient, sseFrame, type SseFrame } from "./sse.js";

/** A response whose write() reports back-pressure on demand, recording what was written. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  accepting = true;
  ended = false;
  write(chunk: string): boolean {
    this.written.push(chunk);
    return this.accepting;
  }
  end(): void {
    this.ended = true;
  }
  text(): string {
    return this.written.join("");
  }
}

const line = (n: number): SseFrame => ({ text: sseFrame({ type: "line", n, line: "x".repeat(80) }, `e-${n}`), lines: 1 });

function setup(maxPendingBytes: number) {
  const res = new FakeResponse();
  const counts = { sent: 0, dropped: 0 };
  const client = new SseClient(res as unknown as ServerResponse, { maxPendingBytes, onSent: (n) => (counts.sent += n), onDropped: (n) => (counts.dropped += n) });
  return { res, client, counts };
}

describe("SseClient", () => {
  test("frames are one JSON data line with an optional id", () => {
    expect(sseFrame({ type: "line", line: "a\nb\r<c>" }, "e-1")).toBe('id: e-1\ndata: {"type":"line","line":"a\\nb\\r<c>"}\n\n');
    expect(sseFrame({ type: "dropped", count: 3 })).toBe('data: {"type":"dropped","count":3}\n\n');
  });

  test("writes straight through while the socket drains", () => {
    const { res, client, counts } = setup(1000);
    client.send([line(1), line(2)]);
    client.send([line(3)]);
    expect(res.written).toHaveLength(2);
    expect(counts).toEqual({ sent: 3, dropped: 0 });
  });

  test("queues up to the bound while blocked, drops the rest, and reports the gap in place after drain", () => {
    const frameSize = line(1).text.length;
    const { res, client, counts } = setup(frameSize * 3);
    res.accepting = false;
    client.send([line(1)]); // written; the socket now reports back-pressure
    res.accepting = true;
    client.send([line(2), line(3), line(4), line(5), line(6)]);
    expect(client.queuedBytes).toBe(frameSize * 3);
    expect(counts).toEqual({ sent: 1, dropped: 2 });
    expect(res.written).toHaveLength(1);

    res.emit("drain");
    expect(client.queuedBytes).toBe(0);
    const ids = [...res.text().matchAll(/^id: e-(\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(res.text().endsWith(sseFrame({ type: "dropped", count: 2 }))).toBe(true);
    expect(counts).toEqual({ sent: 4, dropped: 2 });

    client.send([line(7)]);
    expect(res.text().endsWith(line(7).text)).toBe(true);
  });

  test("never queues more than the bound however much arrives", () => {
    const { res, client, counts } = setup(10_000);
    res.accepting = false;
    for (let i = 0; i < 10_000; i++) client.send([line(i)]);
    expect(client.queuedBytes).toBeLessThanOrEqual(10_000);
    expect(counts.dropped).toBeGreaterThan(9_000);
    res.accepting = true;
    res.emit("drain");
    expect(counts.sent + counts.dropped).toBe(10_000); // every line either delivered or counted as dropped
  });

  test("a closed connection drops its queue and takes nothing more", () => {
    const { res, client } = setup(10_000);
    res.accepting = false;
    client.send([line(1), line(2)]);
    res.emit("close");
    client.send([line(3)]);
    expect(client.isClosed).toBe(true);
    expect(client.queuedBytes).toBe(0);
    expect(res.written).toHaveLength(1);
  });
});
