// Reading for `stats --replay` and stdin: big chunks split into complete lines on bytes, handed on without decoding.
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";

const NEWLINE = 10;
export const CHUNK_BYTES = 1_000_000;
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Turns byte chunks into buffers of complete lines ("\n"-separated, without the last newline). A
 * line longer than maxLineBytes is dropped up to its newline and counted in `overlong`, so one huge
 * line cannot exhaust memory.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private discarding = false;
  overlong = 0;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /**
   * The complete lines of carry + chunk: none, one, or two when a carried partial line is completed
   * (that one is a copy). The other is a view of the chunk: use it before the chunk is reused.
   */
  push(chunk: Buffer): Buffer[] {
    let start = 0;
    if (this.discarding) {
      const first = chunk.indexOf(NEWLINE);
      if (first < 0) return [];
      this.discarding = false;
      start = first + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < start) {
      this.keep(chunk.subarray(start));
      return [];
    }
    const out: Buffer[] = [];
    if (this.carryBytes > 0) {
      const first = chunk.indexOf(NEWLINE, start);
      out.push(Buffer.concat([...this.carry, chunk.subarray(start, first)]));
      this.carry = [];
      this.carryBytes = 0;
      start = first + 1;
    }
    if (last > start) out.push(chunk.subarray(start, last));
    this.keep(chunk.subarray(last + 1));
    return out;
  }

  /** What is left after the last newline (a final line without one). */
  end(): Buffer {
    const rest = this.discarding ? Buffer.alloc(0) : Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    this.discarding = false;
    return rest;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.carry.push(Buffer.from(part)); // a copy: the caller reuses its buffer
    this.carryBytes += part.length;
    if (this.carryBytes > this.maxLineBytes) {
      this.carry = [];
      this.carryBytes = 0;
      this.discarding = true;
      this.overlong++;
    }
  }
}

/** Complete lines as bytes ("\n"-separated, without the last newline), possibly a view valid only during the call. */
export type LineSink = (lines: Buffer) => void | Promise<void>;

/**
 * Read a whole file from the start in large chunks; onProgress gets the bytes read so far. The next
 * chunk is read (on the thread pool) while the current one is processed, into the other of two
 * buffers: the lines handed on from one are processed before the read after next goes into it.
 */
export async function replayFile(path: string, sink: LineSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  const handle = await open(path, "r");
  let current = Buffer.allocUnsafe(CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  let reading = handle.read(current, 0, CHUNK_BYTES, 0);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      const lines = splitter.push(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
      reading = handle.read(current, 0, CHUNK_BYTES, position);
      for (const part of lines) await sink(part);
      onProgress?.(position);
    }
  } finally {
    await reading.catch(() => undefined); // a read still under way when the sink failed must end before the close
    await handle.close();
  }
  const rest = splitter.end();
  if (rest.length > 0) await sink(rest);
}

/** Read a stream (stdin) to its end. */
export async function readStream(stream: Readable, sink: LineSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    for (const part of splitter.push(buffer)) await sink(part);
    onProgress?.(total);
  }
  const rest = splitter.end();
  if (rest.length > 0) await sink(rest);
}
