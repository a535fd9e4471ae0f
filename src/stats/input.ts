// Reading for `stats --replay` and stdin: big chunks split into complete lines on bytes, decoded once per chunk.
import { isAscii } from "node:buffer";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";

const NEWLINE = 10;
/** Under 0xFBEE9 bytes, so a chunk's text stays a heap string (Node makes bigger ones external, freed only by a full GC). */
export const CHUNK_BYTES = 1_000_000;
export const MAX_LINE_BYTES = 1 << 20;
/**
 * Most texts handed on are at most this long (a longer line makes a longer one): a text this size is
 * an ordinary young-generation string that dies in the next scavenge, whereas a chunk-sized one
 * goes to large-object space and stays until a full GC, which is most of the replay's peak RSS.
 */
export const PIECE_BYTES = 1 << 16;

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

  constructor(
    private readonly maxLineBytes = MAX_LINE_BYTES,
    private readonly pieceBytes = PIECE_BYTES,
  ) {}

  /**
   * The complete lines of carry + chunk as texts of "\n"-separated lines without the last newline:
   * none, one, or two when a carried partial line is completed (it is decoded on its own so the
   * chunk itself is never copied). The chunk may be reused by the caller afterwards.
   */
  push(chunk: Buffer): string[] {
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
    const texts: string[] = [];
    if (this.carryBytes > 0) {
      const first = chunk.indexOf(NEWLINE, start);
      texts.push(decode(Buffer.concat([...this.carry, chunk.subarray(start, first)])));
      this.carry = [];
      this.carryBytes = 0;
      start = first + 1;
    }
    if (last > start) this.pieces(chunk, start, last, texts);
    this.keep(chunk.subarray(last + 1));
    return texts;
  }

  /** Decode chunk[start, last) as texts of whole lines, each cut at the last newline within pieceBytes when there is one. */
  private pieces(chunk: Buffer, start: number, last: number, texts: string[]): void {
    while (last - start > this.pieceBytes) {
      let cut = chunk.lastIndexOf(NEWLINE, start + this.pieceBytes);
      if (cut <= start) cut = chunk.indexOf(NEWLINE, start + this.pieceBytes); // one line longer than a piece
      if (cut >= last) break;
      texts.push(decode(chunk.subarray(start, cut)));
      start = cut + 1;
    }
    texts.push(decode(chunk.subarray(start, last)));
  }

  /** What is left after the last newline (a final line without one). */
  end(): string {
    const rest = this.discarding ? "" : decode(Buffer.concat(this.carry));
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

/** UTF-8 text of bytes; pure ASCII (most access logs) takes the much cheaper latin1 path, which decodes it identically. */
function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

export type TextSink = (text: string) => void | Promise<void>;

/**
 * Read a whole file from the start in large chunks; onProgress gets the bytes read so far. The next
 * chunk is read (on the thread pool) while the current one is processed, into the other of two
 * buffers: the splitter has decoded or copied the current one before the read into it starts.
 */
export async function replayFile(path: string, sink: TextSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
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
      const texts = splitter.push(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
      reading = handle.read(current, 0, CHUNK_BYTES, position);
      for (const text of texts) await sink(text);
      onProgress?.(position);
    }
  } finally {
    await reading.catch(() => undefined); // a read still under way when the sink failed must end before the close
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
    for (const text of splitter.push(buffer)) await sink(text);
    onProgress?.(total);
  }
  const rest = splitter.end();
  if (rest) await sink(rest);
}
