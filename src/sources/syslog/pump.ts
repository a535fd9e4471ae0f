// Gathers records from every socket of a listener and emits them as batches, one emit at a time.
import type { LogRecord } from "../../core/record.js";

export interface PumpOptions {
  /** Most records in one batch. */
  maxBatch: number;
  /** Most records waiting for a reader that cannot pause (UDP); beyond it offer() refuses. */
  maxQueued: number;
  /** Most bytes of records waiting (estimated, see recordBytes); a bounded offer beyond it is refused too. */
  maxQueuedBytes: number;
  /** Hand a batch on; resolves when the pipeline accepted it. */
  emit(records: LogRecord[]): Promise<void>;
  /** An emit failed (the pipeline is stopping): the records are lost to a protocol that cannot resend. */
  onError(err: unknown, records: number): void;
}

/**
 * Records arriving in one I/O turn (a burst of datagrams, reads from many connections) leave together
 * in one batch on the next turn. While an emit is pending, new records wait; readers that can pause
 * (TCP sockets) wait for idle() and so stop reading until the pipeline has taken the previous batch.
 */
export class RecordPump {
  private queue: LogRecord[] = [];
  private queuedBytes = 0;
  private emitting = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: PumpOptions) {}

  /**
   * Queue records. A bounded offer (from a reader that cannot pause) is refused, returning false, when
   * the queue is full; an unbounded one is always taken, its reader pausing until idle() instead.
   */
  offer(records: LogRecord[], bounded: boolean): boolean {
    if (records.length === 0) return true;
    let bytes = 0;
    for (const r of records) bytes += recordBytes(r);
    if (bounded && this.queue.length + records.length > this.options.maxQueued) return false;
    if (bounded && this.queuedBytes + bytes > this.options.maxQueuedBytes) return false;
    for (const r of records) this.queue.push(r);
    this.queuedBytes += bytes;
    this.schedule();
    return true;
  }

  /** True while an emit is pending or records wait: a pausable reader should wait for idle(). */
  get busy(): boolean {
    return this.emitting || this.queue.length > 0;
  }

  /** Resolves when nothing is queued and no emit is pending. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Estimated bytes of the records waiting. */
  get bytes(): number {
    return this.queuedBytes;
  }

  private schedule(): void {
    if (this.scheduled || this.emitting) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** The next batch: at most maxBatch records and, past the first, at most a quarter of the byte budget. */
  private take(): LogRecord[] {
    const limit = this.options.maxQueuedBytes / 4;
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.options.maxBatch) {
      const size = recordBytes(this.queue[count] as LogRecord);
      if (count > 0 && bytes + size > limit) break;
      bytes += size;
      count++;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, count);
  }

  private async drain(): Promise<void> {
    if (this.emitting) return;
    this.emitting = true;
    while (this.queue.length > 0) {
      const batch = this.take();
      try {
        await this.options.emit(batch);
      } catch (err) {
        this.options.onError(err, batch.length);
      }
    }
    this.emitting = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** What a record holds in memory, roughly: its text at two bytes a character (V8's worst case) and its fields. */
export function recordBytes(record: LogRecord): number {
  return 2 * record.line.length + 256;
}
