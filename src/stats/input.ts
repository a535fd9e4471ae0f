// Reading for `stats --replay` and stdin: big chunks split into complete lines on bytes, handed on without decoding.
import { fstatSync, read as readFd } from "node:fs";
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

/** Reads the next bytes into `buffer` (from where the last read ended); 0 at the end of the input. */
type ChunkReader = (buffer: Buffer) => Promise<number>;

/**
 * Read to the end in large chunks, handing on complete lines; onProgress gets the bytes read so far
 * (counted from `before`). The next chunk is read (on the thread pool) while the current one is
 * processed, into the other of two reused buffers: the lines handed on from one are processed
 * before the read after next goes into it, and no buffer is left per read for the GC to find.
 */
async function readChunks(
  read: ChunkReader,
  sink: LineSink,
  splitter: LineSplitter,
  onProgress?: (bytes: number) => void,
  before = 0,
): Promise<void> {
  let current = Buffer.allocUnsafe(CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(CHUNK_BYTES);
  let total = before;
  let reading = read(current);
  try {
    for (;;) {
      const bytesRead = await reading;
      if (bytesRead === 0) break;
      total += bytesRead;
      const lines = splitter.push(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
      reading = read(current);
      for (const part of lines) await sink(part);
      onProgress?.(total);
    }
  } finally {
    await reading.catch(() => 0); // a read still under way when the sink failed must end first
  }
}

/** The last line when the input does not end with a newline. */
async function flushRest(sink: LineSink, splitter: LineSplitter): Promise<void> {
  const rest = splitter.end();
  if (rest.length > 0) await sink(rest);
}

/** Read a whole file from the start. */
export async function replayFile(
  path: string,
  sink: LineSink,
  splitter: LineSplitter,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  const handle = await open(path, "r");
  let position = 0;
  const read: ChunkReader = async (buffer) => {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    position += bytesRead;
    return bytesRead;
  };
  try {
    await readChunks(read, sink, splitter, onProgress);
  } finally {
    await handle.close();
  }
  await flushRest(sink, splitter);
}

/** Where replayStdin reads: a descriptor, and the stream to use instead (made only when needed). */
export interface StdinSource {
  fd: number;
  stream: () => Readable;
}

/** Thrown by a descriptor read that would block: the rest is read as a stream. */
class WouldBlock extends Error {}

/**
 * Read stdin to its end. A file, pipe or socket is read like a file (fs reads into the two reused
 * buffers: a stream would allocate a 64 KiB buffer per read, which the GC frees late when little
 * else is allocated, ≈ 30 MB more peak RSS); a terminal, or a descriptor another process made
 * non-blocking (EAGAIN), is read as a stream from where the reads stopped. The stream is made only
 * then: making process.stdin sets a pipe non-blocking.
 */
export async function replayStdin(
  sink: LineSink,
  splitter: LineSplitter,
  onProgress?: (bytes: number) => void,
  source: StdinSource = { fd: 0, stream: () => process.stdin },
): Promise<void> {
  let done = 0;
  if (readsLikeAFile(source.fd)) {
    const counted = (bytes: number): void => {
      done = bytes;
      onProgress?.(bytes);
    };
    try {
      await readChunks((buffer) => readDescriptor(source.fd, buffer), sink, splitter, counted);
      return await flushRest(sink, splitter);
    } catch (err) {
      if (!(err instanceof WouldBlock)) throw err;
    }
  }
  await readStream(source.stream(), sink, splitter, onProgress && ((bytes) => onProgress(done + bytes)));
}

function readsLikeAFile(fd: number): boolean {
  try {
    const info = fstatSync(fd);
    return info.isFile() || info.isFIFO() || info.isSocket();
  } catch {
    return false;
  }
}

function readDescriptor(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) =>
    readFd(fd, buffer, 0, buffer.length, null, (err, bytesRead) => {
      if (err) reject(err.code === "EAGAIN" ? new WouldBlock(err.message) : err);
      else resolve(bytesRead);
    }),
  );
}

/** Read a stream (stdin) to its end. */
export async function readStream(
  stream: Readable,
  sink: LineSink,
  splitter: LineSplitter,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    for (const part of splitter.push(buffer)) await sink(part);
    onProgress?.(total);
  }
  await flushRest(sink, splitter);
}
