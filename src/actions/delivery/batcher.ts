// Batching decisions (pure, on a Clock): when the pending events are due, and which parts make the next request.
import type { Clock, Timer } from "../../core/clock.js";

/**
 * A piece of an event's rendering that can travel in a request on its own (a line, a chunk of a long line, an event's
 * JSON).
 */
export interface Part<P> {
  value: P;
  /** Cost against the request capacity (characters of a message, including its separator). */
  size: number;
  /** UTF-8 bytes of the event text it carries, against batch.max_bytes. */
  bytes: number;
}

export interface BatchLimits {
  /** Most events in one request. */
  maxEvents: number;
  /** Most bytes in one request (a single part may exceed it: it is sent alone). */
  maxBytes: number;
  /** Most summed part sizes in one request (Infinity when only events and bytes bound it). */
  capacity: number;
  /** Quiet time after the last arrival before pending events are due. */
  timeoutMs: number;
  /** Longest an event waits before it is due, however steadily others arrive. */
  maxWaitMs: number;
}

interface Pending<P, T> {
  seq: number;
  item: T;
  parts: Part<P>[];
  /** Index of the first part not yet taken into a request. */
  next: number;
  arrived: number;
}

/** The next request: its parts, the items it carries a part of, and the items it finishes. */
export interface Batch<P, T> {
  parts: P[];
  carried: T[];
  completed: T[];
}

/**
 * Holds events not yet sent. Pending events become due when a full request's worth is waiting (by
 * count, bytes or capacity), when batch.timeout passes without a new arrival (capped by max_wait from
 * the oldest), or when drained up to a sequence number (flush). Calls onDue when the timer makes them due.
 */
export class Batcher<P, T> {
  private readonly pending: Pending<P, T>[] = [];
  private totalSize = 0;
  private totalBytes = 0;
  private lastSeq = 0;
  private lastArrival = 0;
  /** Everything with seq up to this is due regardless of size or time. */
  private drainSeq = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly limits: BatchLimits,
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Number of events with parts still to send. */
  get length(): number {
    return this.pending.length;
  }

  add(seq: number, item: T, parts: Part<P>[]): void {
    if (parts.length === 0) throw new Error("an event needs at least one part");
    const now = this.clock.now();
    this.pending.push({ seq, item, parts, next: 0, arrived: now });
    for (const part of parts) {
      this.totalSize += part.size;
      this.totalBytes += part.bytes;
    }
    this.lastSeq = seq;
    this.lastArrival = now;
    this.arm();
  }

  /** Make everything up to seq due now (flush); later arrivals keep batching normally. */
  drainThrough(seq: number): void {
    this.drainSeq = Math.max(this.drainSeq, seq);
  }

  /** When the pending events fall due by time, or undefined when nothing is pending. */
  deadline(): number | undefined {
    const head = this.pending[0];
    if (!head) return undefined;
    return Math.min(this.lastArrival + this.limits.timeoutMs, head.arrived + this.limits.maxWaitMs);
  }

  /** Is a request due now? */
  due(): boolean {
    const head = this.pending[0];
    if (!head) return false;
    if (head.seq <= this.drainSeq || this.full()) return true;
    const deadline = this.deadline() ?? Infinity;
    if (this.clock.now() < deadline) return false;
    this.drainSeq = this.lastSeq; // everything pending when the timer fires goes, even if more arrives meanwhile
    return true;
  }

  /** Take the next request from the head: as many whole or partial events as the limits allow (at least one part). */
  take(): Batch<P, T> | undefined {
    const batch: Batch<P, T> = { parts: [], carried: [], completed: [] };
    let size = 0;
    let bytes = 0;
    while (this.pending[0]) {
      const head = this.pending[0];
      if (head.next === 0 && batch.carried.length >= this.limits.maxEvents) break;
      let took = false;
      while (head.next < head.parts.length) {
        const part = head.parts[head.next] as Part<P>;
        const fits =
          batch.parts.length === 0 ||
          (size + part.size <= this.limits.capacity && bytes + part.bytes <= this.limits.maxBytes);
        if (!fits) break;
        batch.parts.push(part.value);
        size += part.size;
        bytes += part.bytes;
        this.totalSize -= part.size;
        this.totalBytes -= part.bytes;
        head.next++;
        took = true;
      }
      if (took) batch.carried.push(head.item);
      if (head.next < head.parts.length) break; // the rest of this event starts the next request
      batch.completed.push(head.item);
      this.pending.shift();
    }
    this.arm();
    return batch.parts.length > 0 ? batch : undefined;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** More is waiting than one request can carry: no reason to wait for the timer. */
  private full(): boolean {
    const { maxEvents, maxBytes, capacity } = this.limits;
    return this.pending.length >= maxEvents || this.totalBytes >= maxBytes || this.totalSize > capacity;
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const deadline = this.deadline();
    if (deadline === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      // Decide by the timer, not by now() >= deadline: Node's timers run on a monotonic clock and may
      // fire a millisecond before Date.now() reaches the deadline; nothing would re-arm them then.
      this.timer = undefined;
      this.drainSeq = this.lastSeq;
      this.onDue();
    }, deadline - this.clock.now());
  }
}
