// One Server-Sent Events client with a bounded queue: a browser that stops reading loses lines, not our memory.
import type { ServerResponse } from "node:http";

export interface SseFrame {
  /** The complete "id: ...\ndata: ...\n\n" text. */
  text: string;
  /** Lines it carries (for dropped counts; 0 for control events). */
  lines: number;
}

export interface SseClientOptions {
  /** Bytes that may wait for a socket that is not draining before lines are dropped. */
  maxPendingBytes: number;
  onSent(lines: number): void;
  onDropped(lines: number): void;
  /** Called when this client's queue (ours plus the socket's buffer) reaches a new high. */
  onQueuePeak?(bytes: number): void;
}

/** An SSE frame: one JSON object per event, with an id when it advances the resume point. */
export function sseFrame(data: unknown, id?: string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes frames to a response. While the socket drains, frames go straight through; once a write
 * reports back-pressure, frames wait in a queue bounded by bytes, and frames beyond it are dropped and
 * counted. On 'drain' the queue is written, followed by a "dropped" event telling the browser how many
 * lines it missed, at the place it missed them. Frames are written one by one, so what sits in the socket's
 * buffer beyond its high-water mark is at most one frame. The response is never corked: since Node 22 a
 * corked response's write() weighs only what was written while corked, not what the socket still holds,
 * so it never reports back-pressure (nor emits 'drain') and the socket's buffer grows without limit. Node
 * already corks the socket itself until the next tick, so the frames of one send still leave in one write.
 */
export class SseClient {
  private blocked = false;
  private pending: SseFrame[] = [];
  private pendingBytes = 0;
  private droppedLines = 0;
  private closed = false;
  private peak = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseClientOptions,
  ) {
    res.on("drain", () => this.flush());
    res.on("close", () => {
      this.closed = true;
      this.pending = [];
      this.pendingBytes = 0;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes currently queued by us (not counting the socket's own buffer). */
  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /** The most bytes this client has had waiting: our queue plus what the socket had not yet taken. */
  get peakBytes(): number {
    return this.peak;
  }

  send(frames: SseFrame[]): void {
    if (this.closed || frames.length === 0) return;
    let i = 0;
    if (!this.blocked) i = this.write(frames);
    let dropped = 0;
    for (; i < frames.length; i++) {
      const frame = frames[i] as SseFrame;
      // String length stands in for bytes: exact enough for a bound, and free to compute.
      if (this.pendingBytes + frame.text.length <= this.options.maxPendingBytes) {
        this.pending.push(frame);
        this.pendingBytes += frame.text.length;
      } else {
        dropped += frame.lines;
      }
    }
    if (dropped > 0) {
      this.droppedLines += dropped;
      this.options.onDropped(dropped);
    }
    this.notePeak();
  }

  /** A comment line: keeps proxies from timing the connection out and reveals dead peers. */
  ping(): void {
    if (!this.closed && !this.blocked) this.blocked = !this.res.write(": ping\n\n");
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  /** On 'drain': write what waited (it was accepted, so it is never dropped now), then the count of what was not. */
  private flush(): void {
    this.blocked = false;
    const frames = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.droppedLines > 0) {
      frames.push({ text: sseFrame({ type: "dropped", count: this.droppedLines }), lines: 0 });
      this.droppedLines = 0;
    }
    const written = this.write(frames);
    for (const frame of frames.slice(written)) {
      this.pending.push(frame);
      this.pendingBytes += frame.text.length;
    }
    this.notePeak();
  }

  /** Writes frames until the socket reports back-pressure; returns how many it wrote. */
  private write(frames: SseFrame[]): number {
    if (this.closed || frames.length === 0) return 0;
    let lines = 0;
    let i = 0;
    while (i < frames.length && !this.blocked) {
      const frame = frames[i++] as SseFrame;
      this.blocked = !this.res.write(frame.text);
      lines += frame.lines;
    }
    this.options.onSent(lines);
    return i;
  }

  private notePeak(): void {
    const queued = this.pendingBytes + this.res.writableLength;
    if (queued <= this.peak) return;
    this.peak = queued;
    this.options.onQueuePeak?.(queued);
  }
}
