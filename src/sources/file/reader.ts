// ChunkReader: reads a file in chunks — one read ahead while catching up, and a spare buffer reused between reads.
import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";

/**
 * Bytes per read when lines are filtered on their bytes (few are decoded): large, so catching up costs few reads,
 * and under 1 MiB (the default max_line_bytes) so a line wholly inside one read is never cut.
 */
export const CHUNK_BYTES = 1_000_000;
/** Bytes per read when every line is decoded: one read becomes one batch of records, which this keeps small. */
export const RECORD_CHUNK_BYTES = 256 * 1024;
const MIN_READ_BYTES = 16 * 1024;
/** Reads up to this size (a live file's new lines) are synchronous: no thread-pool round trip before a line is seen. */
const SYNC_READ_BYTES = 64 * 1024;

interface Read {
  buf: Buffer;
  bytesRead: number;
}

export class ChunkReader {
  /** The next chunk, requested while the current one is processed (catching up only). */
  private ahead: { at: number; result: Promise<Read> } | undefined;
  /** A read buffer no longer referenced, reused while catching up so big reads do not pile up as garbage. */
  private spare: Buffer | undefined;
  /** The largest read: CHUNK_BYTES or RECORD_CHUNK_BYTES. */
  chunkBytes = RECORD_CHUNK_BYTES;

  /** The chunk at `at` (`left` bytes are known to be there): the read requested ahead if it is for there. */
  async read(handle: FileHandle, at: number, left: number): Promise<Read> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead && ahead.at === at) return ahead.result;
    await ahead?.result.catch(() => {});
    const buf = this.buffer(left);
    if (buf.length <= SYNC_READ_BYTES) return { buf, bytesRead: fs.readSync(handle.fd, buf, 0, buf.length, at) };
    const { bytesRead } = await handle.read(buf, 0, buf.length, at);
    return { buf, bytesRead };
  }

  /** Start the next read now, while the current chunk is split and handed on. */
  readAhead(handle: FileHandle, at: number, left: number): void {
    const buf = this.buffer(left);
    const result = handle.read(buf, 0, buf.length, at).then(({ bytesRead }) => ({ buf, bytesRead }));
    result.catch(() => {}); // a read ahead nobody takes must not be an unhandled rejection
    this.ahead = { at, result };
  }

  /** A buffer nothing points into any more, for the next read. */
  recycle(buf: Buffer): void {
    this.spare = buf;
  }

  /** Forget the read ahead (the position moved). */
  drop(): void {
    this.ahead = undefined;
  }

  /** Wait for a read ahead still running (before the file is closed). */
  async settle(): Promise<void> {
    await this.ahead?.result.catch(() => {});
    this.ahead = undefined;
  }

  /** A buffer for the next read: the spare one when it is big enough, else a new one sized to what is there. */
  private buffer(left: number): Buffer {
    const want = Math.min(this.chunkBytes, Math.max(MIN_READ_BYTES, left));
    const spare = this.spare;
    this.spare = undefined;
    return spare && spare.length >= want ? spare.subarray(0, want) : Buffer.allocUnsafe(want);
  }
}
