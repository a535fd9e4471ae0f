// The lines an agent gathers into one message per subject, written straight into the message's bytes, and which
// events' releases wait on each message.
import type { Release } from "../../core/record.js";
import { batchPrefix } from "../../nats/batch-format.js";

/** One event's release, run when every message holding one of its lines is stored. */
export interface PendingEvent {
  /** Messages still to be stored, plus one while send() is still adding the event's lines. */
  remaining: number;
  release: Release;
}

export interface BatchLimits {
  lines: number;
  bytes: number;
}

/** Room before the first line for the batch's prefix (`{"logward_batch":1,"count":N,"line":NOTICE,"lines":[`). */
const PREFIX_ROOM = 256;
/** A batch's bytes start this big and double as lines come (a batch stays under max_batch_bytes). */
const FIRST_CAPACITY = 16 * 1024;
const COMMA = 0x2c;
const SUFFIX = Buffer.from("]}");

/**
 * Lines for one subject on their way into one message: each line's UTF-8 written once, after room for the batch's
 * prefix, so the payload is a view of these bytes (no joined string, no second encoding). A line whose event has
 * no other line holds that event's release itself; lines of bigger events share one PendingEvent.
 */
export class OpenBatch {
  private buffer = Buffer.allocUnsafe(FIRST_CAPACITY);
  /** Where the next line's bytes go. */
  private end = PREFIX_ROOM;
  count = 0;
  /** The lines' bytes, with a separator after each. */
  bytes = 0;
  private readonly holds: (Release | PendingEvent)[] = [];

  constructor(readonly subject: string) {}

  /**
   * Add the line when it fits the limits (an empty batch takes any line: the line was cut to fit the server);
   * false, leaving the batch as it was, when not.
   */
  tryAdd(text: string, limits: BatchLimits, hold: Release | PendingEvent): boolean {
    if (this.count > 0) {
      if (this.count >= limits.lines) return false;
      // At most 3 UTF-8 bytes per UTF-16 unit: most lines fit without counting their bytes first.
      if (this.bytes + text.length * 3 + 1 > limits.bytes && this.bytes + Buffer.byteLength(text) + 1 > limits.bytes)
        return false;
    }
    this.write(text);
    this.hold(hold);
    return true;
  }

  private write(text: string): void {
    const room = this.buffer.length - this.end - SUFFIX.length - 1;
    if (text.length * 3 > room) this.grow(Buffer.byteLength(text));
    if (this.count > 0) this.buffer[this.end++] = COMMA;
    const written = this.buffer.write(text, this.end);
    this.end += written;
    this.bytes += written + 1;
    this.count++;
  }

  /** Room for `bytes` more bytes (and the separator and suffix), keeping what is written. */
  private grow(bytes: number): void {
    const needed = this.end + bytes + 1 + SUFFIX.length;
    if (needed <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(bigger, 0, 0, this.end);
    this.buffer = bigger;
  }

  private hold(hold: Release | PendingEvent): void {
    if (typeof hold === "function") {
      this.holds.push(hold);
    } else if (this.holds[this.holds.length - 1] !== hold) {
      this.holds.push(hold);
      hold.remaining++;
    }
  }

  /** The events this batch holds lines of that share their release with other lines (for tests). */
  get events(): PendingEvent[] {
    return this.holds.filter((hold): hold is PendingEvent => typeof hold !== "function");
  }

  /** The message: a lone line as itself (the format of one line), more as a batch. Call once, when sealed. */
  payload(): Uint8Array {
    if (this.count === 1) return this.buffer.subarray(PREFIX_ROOM, this.end);
    const prefix = batchPrefix(this.count);
    const start = PREFIX_ROOM - this.buffer.write(prefix, PREFIX_ROOM - Buffer.byteLength(prefix), "latin1");
    const end = this.end + SUFFIX.copy(this.buffer, this.end);
    return this.buffer.subarray(start, end);
  }

  /** The message is stored: release every event none of whose lines wait elsewhere. */
  stored(): void {
    for (const hold of this.holds) {
      if (typeof hold === "function") hold();
      else settle(hold);
    }
  }
}

/** One hold of the event is over; release it when it was the last. */
export function settle(event: PendingEvent): void {
  if (--event.remaining === 0) event.release();
}
