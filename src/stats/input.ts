// Reading for `stats --replay` and stdin: big chunks split into complete lines on bytes, decoded once per chunk.
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";

const NEWLINE = 10;
export const CHUNK_BYTES = 1 << 20;
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Turns byte chunks into text holding only complete lines, decoded once per chunk (a UTF-8
 * character is never split: the cut is at a newline byte). A line longer than maxLineBytes is
 * dropped up to its newline and counted in `overlong`, so one huge line cannot exhaust memory.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private discarding = false;
  overlong = 0;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** The complete lines of carry + chunk, "\n"-separated without the last newline ("" when none). The chunk may be reused afterwards. */
  push(chunk: Buffer): string {
    let start = 0;
    if (this.discarding) {
      const first = chunk.indexOf(NEWLINE);
      if (first < 0) return "";
      this.discarding = false;
      start = first + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < start) {
      this.keep(chunk.subarray(start));
      return "";
    }
    let text: string;
    if (this.carryBytes > 0) {
      text = Buffer.concat([...this.carry, chunk.subarray(start, last)]).toString("utf8");
      this.carry = [];
      this.carryBytes = 0;
    } else {
      text = chunk.toString("utf8", start, last);
    }
    this.keep(chunk.subarray(last + 1));
    return text;
  }

  /** What is left after the last newline (a final line without one). */
  end(): string {
    const rest = this.discarding ? "" : Buffer.concat(this.carry).toString("utf8");
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

export type TextSink = (text: string) => void | Promise<void>;

/** Read a whole file from the start in large chunks; onProgress gets the bytes read so far. */
export async function replayFile(path: string, sink: TextSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const text = splitter.push(buffer.subarray(0, bytesRead));
      if (text) await sink(text);
      onProgress?.(position);
    }
  } finally {
    await handle.close();
  }
  const rest = splitter.end();
  if (rest) await sink(rest);
}

/** Read a stream (stdin) to its end. */
export async function readStream(stream: Readable, sink: TextSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    const text = splitter.push(buffer);
    if (text) await sink(text);
    onProgress?.(total);
  }
  const rest = splitter.end();
  if (rest) await sink(rest);
}
