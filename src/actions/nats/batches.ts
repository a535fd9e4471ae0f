// The lines an agent gathers into one message per subject, and which events' releases wait on each message.
import type { Release } from "../../core/record.js";
import { batchPayload } from "../../nats/batch-format.js";

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

/** Lines for one subject on their way into one message. */
export class OpenBatch {
  readonly lines: string[] = [];
  bytes = 0;
  readonly events: PendingEvent[] = [];

  constructor(readonly subject: string) {}

  /** Whether a line of this many bytes still fits (an empty batch takes any line: the line was cut to fit). */
  fits(bytes: number, limits: BatchLimits): boolean {
    return this.lines.length === 0 || (this.lines.length < limits.lines && this.bytes + bytes + 1 <= limits.bytes);
  }

  add(text: string, bytes: number, event: PendingEvent): void {
    this.lines.push(text);
    this.bytes += bytes + 1;
    if (this.events[this.events.length - 1] !== event) {
      this.events.push(event);
      event.remaining++;
    }
  }

  /** The message: a lone line as itself (the format of one line), more as a batch. */
  payload(): string {
    return this.lines.length === 1 ? (this.lines[0] as string) : batchPayload(this.lines);
  }

  /** The message is stored: release every event none of whose lines wait elsewhere. */
  stored(): void {
    for (const event of this.events) settle(event);
  }
}

/** One hold of the event is over; release it when it was the last. */
export function settle(event: PendingEvent): void {
  if (--event.remaining === 0) event.release();
}
