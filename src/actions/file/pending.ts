// The file action's bytes waiting for their write: each event's text encoded into blocks as it is sent.
import type { LogEvent } from "../../core/event.js";
import type { LogRecord } from "../../core/record.js";
import { WireBytes } from "../../core/wire-bytes.js";
import { wireJson } from "../../core/wire.js";

/** The first block of a burst: most bursts fit, and are written with one synchronous write (appender.ts). */
const FIRST_BLOCK_BYTES = 64 * 1024;
/** Blocks double up to this while a burst grows (catching up sends thousands of events per burst). */
const MAX_BLOCK_BYTES = 1024 * 1024;

/**
 * Text appended as UTF-8 straight into buffers, taken out as one Buffer per write. Joining a burst's strings first
 * and then encoding the joined string (what this replaces) copied every byte twice and made a string of megabytes
 * per burst for the garbage collector.
 */
export class PendingBytes {
  private blocks: Buffer[] = [];
  private block: Buffer | undefined;
  private used = 0;
  /** The block the last take handed out whole, until the caller says its write is done. */
  private lent: Buffer | undefined;
  /** A block whose write is done, for the next burst (bursts come by the thousand while catching up). */
  private spare: Buffer | undefined;
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
    if (this.block && this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    const blocks = this.blocks;
    const data = blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks, this.bytes);
    this.lent = blocks.length === 1 && this.used > 0 ? this.block : undefined;
    this.blocks = [];
    this.block = undefined;
    this.used = 0;
    this.bytes = 0;
    return data;
  }

  /** The last take's buffer is written and no longer read: its block may take the next burst. */
  reuse(): void {
    this.spare = this.lent;
    this.lent = undefined;
  }

  private startBlock(atLeast: number): void {
    if (this.block && this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    const spare = this.spare;
    this.spare = undefined;
    const grown = this.block ? Math.min(MAX_BLOCK_BYTES, this.block.length * 2) : FIRST_BLOCK_BYTES;
    const size = Math.max(grown, atLeast);
    this.block = !this.block && spare && spare.length >= size ? spare : Buffer.allocUnsafe(size);
    this.used = 0;
  }
}
