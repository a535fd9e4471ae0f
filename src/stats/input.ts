// Reading for `stats --replay` and stdin: big chunks split into complete lines on bytes, handed on as bytes or decoded once per piece.
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
   * the pieces of pushBytes' buffers, each decoded once. The chunk may be reused by the caller afterwards.
   */
  push(chunk: Buffer): string[] {
    const texts: string[] = [];
    for (const lines of this.pushBytes(chunk)) decodePieces(lines, this.pieceBytes, texts);
    return texts;
  }

  /**
   * The complete lines of carry + chunk as bytes, "\n"-separated without the last newline: none,
   * one, or two when a carried partial line is completed (that one is a copy; the other is a view of
   * chunk, so it must be used before the caller reuses chunk).
   */
  pushBytes(chunk: Buffer): Buffer[] {
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
  end(): string {
    return decode(this.endBytes());
  }

  endBytes(): Buffer {
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

/** UTF-8 text of bytes; pure ASCII (most access logs) takes the much cheaper latin1 path, which decodes it identically. */
export function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** Decode "\n"-separated lines as texts of whole lines, each cut at the last newline within pieceBytes when there is one. */
export function decodePieces(lines: Buffer, pieceBytes: number, texts: string[]): void {
  let start = 0;
  const last = lines.length;
  while (last - start > pieceBytes) {
    let cut = lines.lastIndexOf(NEWLINE, start + pieceBytes);
    if (cut <= start) cut = lines.indexOf(NEWLINE, start + pieceBytes); // one line longer than a piece
    if (cut < 0) break;
    texts.push(decode(lines.subarray(start, cut)));
    start = cut + 1;
  }
  texts.push(decode(lines.subarray(start, last)));
}

/** Complete lines as bytes ("\n"-separated, without the last newline); a view that is only valid during the call. */
export type ByteSink = (lines: Buffer) => void | Promise<void>;

/** Read a whole file from the start in large chunks; onProgress gets the bytes read so far. */
export async function replayFile(path: string, sink: ByteSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      for (const lines of splitter.pushBytes(buffer.subarray(0, bytesRead))) await sink(lines);
      onProgress?.(position);
    }
  } finally {
    await handle.close();
  }
  const rest = splitter.endBytes();
  if (rest.length > 0) await sink(rest);
}

/** Read a stream (stdin) to its end. */
export async function readStream(stream: Readable, sink: ByteSink, splitter: LineSplitter, onProgress?: (bytes: number) => void): Promise<void> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    for (const lines of splitter.pushBytes(buffer)) await sink(lines);
    onProgress?.(total);
  }
  const rest = splitter.endBytes();
  if (rest.length > 0) await sink(rest);
}
