// The file action's bytes waiting for their write: each event's text encoded into blocks as it is sent.
import type { LogEvent } from "../../core/event.js";
import type { LogRecord } from "../../core/record.js";
import { WireBytes } from "../../core/wire-bytes.js";
import { wireJson } from "../../core/wire.js";

/** The smallest first block of a burst: most bursts fit, and are written with one synchronous write (appender.ts). */
const FIRST_BLOCK_BYTES = 64 * 1024;
/** Blocks double up to this while a burst grows (catching up sends thousands of events per burst). */
const MAX_BLOCK_BYTES = 1024 * 1024;
/** Blocks kept for later bursts once their bytes are written: one being written and one being filled. */
const FREE_BLOCKS = 2;

/**
 * Text appended as UTF-8 straight into buffers, taken out as one Buffer per write. Joining a burst's strings first
 * and then encoding the joined string (what this replaces) copied every byte twice and made a string of megabytes
 * per burst for the garbage collector. A burst starts in a block the size of the last burst, taken from the blocks
 * whose writes are done: catching up, bursts of a few hundred KiB come one after the other, and each allocated
 * fresh blocks and a joined copy of them.
 */
export class PendingBytes {
  /** Blocks filled before the current one in this burst (whole), and how much of each was used. */
  private filled: Buffer[] = [];
  private filledUsed: number[] = [];
  private block: Buffer | undefined;
  private used = 0;
  /** The block the last take handed out whole, until the caller says its write is done. */
  private lent: Buffer | undefined;
  /** Blocks nobody reads any more, for the next bursts. */
  private readonly free: Buffer[] = [];
  /** Bytes of the last burst taken: the next one is likely alike. */
  private lastBurst = 0;
  /** Bytes waiting. */
  bytes = 0;
  private readonly wire = new WireBytes();

  /** The event's wire lines (the bytes of wireJson), each record's encoded straight into the block. */
  addEvent(event: LogEvent): void {
    const records = event.records;
    const last = records.length - 1;
    if (last < 0) return this.add(wireJson(event));
    for (let i = 0; i <= last; i++) {
      const record = records[i] as LogRecord;
      const most = this.wire.prepare(event.rule, record, i === last ? event.fields : record.fields);
      if (!this.block || this.block.length - this.used < most) this.startBlock(most);
      const end = this.wire.write(this.block as Buffer, this.used);
      this.bytes += end - this.used;
      this.used = end;
    }
  }

  add(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair's 4 bytes come from 2 units).
    const most = text.length * 3;
    if (!this.block || this.block.length - this.used < most) this.startBlock(most);
    const written = (this.block as Buffer).write(text, this.used, "utf8");
    this.used += written;
    this.bytes += written;
  }

  /** Everything added since the last take, in order; empty after. */
  take(): Buffer {
    const block = this.block;
    let data: Buffer;
    if (this.filled.length === 0) {
      data = block ? block.subarray(0, this.used) : Buffer.alloc(0);
      this.lent = block;
    } else {
      const parts = this.filled.map((b, i) => b.subarray(0, this.filledUsed[i]));
      if (block) parts.push(block.subarray(0, this.used));
      data = Buffer.concat(parts, this.bytes);
      // Copied out: nobody reads these blocks any more.
      for (const b of this.filled) this.release(b);
      if (block) this.release(block);
      this.lent = undefined;
    }
    this.filled = [];
    this.filledUsed = [];
    this.lastBurst = this.bytes;
    this.block = undefined;
    this.used = 0;
    this.bytes = 0;
    return data;
  }

  /** The last take's buffer is written and no longer read: its block may take a later burst. */
  reuse(): void {
    if (this.lent) this.release(this.lent);
    this.lent = undefined;
  }

  /** Keep a block nobody reads for later bursts: the largest few, none made bigger than usual for a huge line. */
  private release(block: Buffer): void {
    if (block.length > MAX_BLOCK_BYTES) return;
    this.free.push(block);
    this.free.sort((x, y) => y.length - x.length);
    if (this.free.length > FREE_BLOCKS) this.free.length = FREE_BLOCKS;
  }

  private startBlock(atLeast: number): void {
    if (this.block) {
      this.filled.push(this.block);
      this.filledUsed.push(this.used);
    }
    const grown = this.block ? Math.min(MAX_BLOCK_BYTES, this.block.length * 2) : firstBlockBytes(this.lastBurst);
    const size = Math.max(grown, atLeast);
    // The smallest free block that fits (free is largest first).
    let at = -1;
    for (let i = 0; i < this.free.length; i++) if ((this.free[i] as Buffer).length >= size) at = i;
    this.block = at >= 0 ? (this.free.splice(at, 1)[0] as Buffer) : Buffer.allocUnsafe(size);
    this.used = 0;
  }
}

/** A burst's first block: room for the last burst (a power of two), between FIRST and MAX_BLOCK_BYTES. */
function firstBlockBytes(lastBurst: number): number {
  let size = FIRST_BLOCK_BYTES;
  while (size < lastBurst && size < MAX_BLOCK_BYTES) size *= 2;
  return size;
}
