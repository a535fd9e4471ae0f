import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, test } from "vitest";
import { SseClient, sseFrame, type SseFrame } from "./sse.js";

/**
 * A response whose write() reports back-pressure on demand. `written` holds one entry per write();
 * writableLength counts what was written while not accepting. Corking it fails the test: since Node 22 a
 * corked response's write() no longer reports the socket's back-pressure (see SseClient).
 */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  accepting = true;
  ended = false;
  writableLength = 0;
  write(chunk: string): boolean {
    this.written.push(chunk);
    if (!this.accepting) this.writableLength += chunk.length;
    return this.accepting;
  }
  cork(): void {
    throw new Error("SseClient corked the response: its write() would hide the socket's back-pressure");
  }
  uncork(): void {
    throw new Error("SseClient uncorked the response");
  }
  /** The socket caught up. */
  drain(): void {
    this.accepting = true;
    this.writableLength = 0;
    this.emit("drain");
  }
  end(): void {
    this.ended = true;
  }
  text(): string {
    return this.written.join("");
  }
}

const line = (n: number): SseFrame => ({
  text: sseFrame({ type: "line", n, line: "x".repeat(80) }, `e-${n}`),
  lines: 1,
});

function setup(maxPendingBytes: number) {
  const res = new FakeResponse();
  const counts = { sent: 0, dropped: 0, peak: 0 };
  const client = new SseClient(res as unknown as ServerResponse, {
    maxPendingBytes,
    onSent: (n) => (counts.sent += n),
    onDropped: (n) => (counts.dropped += n),
    onQueuePeak: (bytes) => (counts.peak = bytes),
  });
  return { res, client, counts };
}

describe("SseClient", () => {
  test("frames are one JSON data line with an optional id", () => {
    expect(sseFrame({ type: "line", line: "a\nb\r<c>" }, "e-1")).toBe(
      'id: e-1\ndata: {"type":"line","line":"a\\nb\\r<c>"}\n\n',
    );
    expect(sseFrame({ type: "dropped", count: 3 })).toBe('data: {"type":"dropped","count":3}\n\n');
  });

  test("writes straight through while the socket drains", () => {
    const { res, client, counts } = setup(1000);
    client.send([line(1), line(2)]);
    client.send([line(3)]);
    // One write() per frame, each seeing the socket's back-pressure (Node joins them into one socket write).
    expect(res.written).toEqual([line(1), line(2), line(3)].map((f) => f.text));
    expect(counts).toEqual({ sent: 3, dropped: 0, peak: 0 });
  });

  test("queues up to the bound while blocked, drops the rest, and reports the gap in place after drain", () => {
    const frameSize = line(1).text.length;
    const { res, client, counts } = setup(frameSize * 3);
    res.accepting = false;
    client.send([line(1)]); // written; the socket now reports back-pressure
    res.accepting = true;
    client.send([line(2), line(3), line(4), line(5), line(6)]);
    expect(client.queuedBytes).toBe(frameSize * 3);
    expect(counts).toMatchObject({ sent: 1, dropped: 2 });
    expect(res.written).toHaveLength(1);

    res.emit("drain");
    expect(client.queuedBytes).toBe(0);
    const ids = [...res.text().matchAll(/^id: e-(\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(res.text().endsWith(sseFrame({ type: "dropped", count: 2 }))).toBe(true);
    expect(counts).toMatchObject({ sent: 4, dropped: 2 });

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

  test(
    "stops writing at the first back-pressure: the socket holds at most " +
      "one frame beyond its mark, the rest waits in the bound",
    () => {
      const frameSize = line(1).text.length;
      const { res, client, counts } = setup(frameSize * 10);
      res.accepting = false;
      client.send([line(1), line(2), line(3), line(4)]);
      expect(res.text()).toBe(line(1).text);
      expect(client.queuedBytes).toBe(frameSize * 3);
      expect(client.peakBytes).toBe(frameSize * 4); // our queue plus the socket's buffer
      expect(counts.peak).toBe(frameSize * 4);

      res.drain();
      expect(res.text()).toBe([1, 2, 3, 4].map((n) => line(n).text).join(""));
      expect(client.queuedBytes).toBe(0);
      expect(counts).toMatchObject({ sent: 4, dropped: 0 });
    },
  );

  test("a drain that meets back-pressure again keeps the rest queued, in order", () => {
    const frameSize = line(1).text.length;
    const { res, client } = setup(frameSize * 10);
    res.accepting = false;
    client.send([line(1), line(2), line(3)]);
    res.accepting = false; // the socket takes one frame and is full again
    res.emit("drain");
    expect(client.queuedBytes).toBe(frameSize);
    res.drain();
    const ids = [...res.text().matchAll(/^id: e-(\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3]);
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
