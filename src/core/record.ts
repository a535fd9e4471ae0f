// Records (one log line each) and the batches that carry them, with delivery acknowledgement.

export type FieldValue = string | number | boolean | null;
export type Fields = Record<string, FieldValue>;

/**
 * The fields of a record nothing has parsed: one frozen object for all of them (a source makes a record per line).
 * Whatever fills a record's fields (a parser) gives it its own object first (see daemon/parsers.ts).
 */
export const NO_FIELDS: Fields = Object.freeze({});

/** One log line, as read. */
export interface LogRecord {
  /** Name of the configured source. */
  source: string;
  /** The file it was read from, when it came from a file. */
  file?: string;
  /** Byte offset of the start of the line in that file. */
  offset?: number;
  /** The line without its line ending (cut and marked when longer than max_line_bytes). */
  line: string;
  /** Event time in ms since the epoch: a parsed timestamp when the parser found one, else read time. */
  time: number;
  /** Parsed fields and named groups. */
  fields: Fields;
  /** Host the record came from, for records received over the network. */
  host?: string;
}

/**
 * Acknowledgement of a batch: every consumer that takes over responsibility for some of its records
 * calls hold() and runs the returned release once that work is delivered (or definitively given up,
 * e.g. dead-lettered). The batch is done when every hold has been released.
 */
export interface Ack {
  hold(): Release;
  /**
   * A hold for the record at this index of the batch, taken in record order. A source that resumes by position
   * can then commit the delivered prefix of a batch (see CountingAck's onProgress): a stop that delivered half a
   * batch repeats only the other half.
   */
  holdRecord?(index: number): Release;
  /**
   * Holds for a consumer that releases them in the order it took them (see Action.releasesInOrder): they share one
   * release, so a firing costs no function of its own.
   */
  ordered?(): OrderedHolds;
}

export type Release = () => void;

/**
 * Holds of one consumer that runs its releases in the order it took the holds. Each call of `release` ends the oldest
 * hold not yet ended (calls beyond the holds taken do nothing), so a consumer must call it once per hold, in order.
 */
export interface OrderedHolds {
  /** A hold for the record at this index of the batch (in record order, as holdRecord); returns `release`. */
  hold(index: number): Release;
  /** Ends the oldest hold; the same function for every hold. */
  readonly release: Release;
  /** Ends the newest hold: the consumer refused what it was taken for (its release will never come). */
  releaseNewest(): void;
}

/** A read's worth of records from one source. */
export interface RecordBatch {
  source: string;
  records: LogRecord[];
  ack: Ack;
}

/**
 * An Ack that calls done() once the initial hold and every later hold have been released. With onProgress, it
 * also reports how many leading records are finished: dispatched past, with none of their holds pending.
 */
export class CountingAck implements Ack {
  private pending = 1;
  private finished = false;
  /** Record indexes that took holds, in order (holds come in record order), with their pending counts. */
  private readonly indexes: number[] = [];
  private readonly counts: number[] = [];
  /** First entry of indexes whose count is not yet zero. */
  private head = 0;
  /** Highest index holdRecord was called with: records before it are dispatched. */
  private reached = 0;
  private reported = 0;
  private reportDue = false;

  constructor(
    private readonly done: () => void,
    private readonly onProgress?: (finishedRecords: number) => void,
  ) {}

  hold(): Release {
    if (this.finished) return () => {};
    this.pending++;
    return once(() => this.release());
  }

  holdRecord(index: number): Release {
    if (this.finished || !this.onProgress) return this.hold();
    const slot = this.take(index);
    // One closure per hold (not once() around one): every firing of a catching-up source takes a hold.
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.give(slot);
    };
  }

  ordered(): OrderedHolds {
    return new OrderedAckHolds(this);
  }

  /**
   * Count a hold for the record at `index` (in record order): the slot of its pending count, or -1 when no prefix is
   * reported (nothing to count per record). Ended by give(slot).
   */
  take(index: number): number {
    this.pending++;
    if (!this.onProgress) return -1;
    // Out of record order, the prefix can no longer be told: report nothing more (done() still comes).
    if (index < this.reached) this.reported = Infinity;
    // A new slot for a new record, and for the same record again once its slot was passed as finished (its first
    // holds were released before this one was taken: the dispatcher waited on an action between them).
    if (index > this.reached || this.head >= this.indexes.length) {
      this.reached = Math.max(this.reached, index);
      this.indexes.push(index);
      this.counts.push(0);
    }
    const slot = this.indexes.length - 1;
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
    return slot;
  }

  /** End a hold take() counted. */
  give(slot: number): void {
    if (slot >= 0) {
      this.counts[slot] = (this.counts[slot] ?? 1) - 1;
      this.report();
    }
    this.release();
  }

  /** True once done() was called: later holds wait for nothing. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Release the initial hold taken at construction: call once dispatch of the batch is complete. */
  readonly releaseInitial: Release = once(() => this.release());

  private release(): void {
    if (--this.pending === 0 && !this.finished) {
      this.finished = true;
      this.done();
    }
  }

  /**
   * Records before the oldest one with a pending hold (and before the dispatch point) are finished. Reported once
   * per turn: an action releases a whole write's events together, and the source commits once for them.
   */
  private report(): void {
    if (this.reportDue || this.finished || !this.onProgress) return;
    this.reportDue = true;
    queueMicrotask(() => {
      this.reportDue = false;
      this.reportNow();
    });
  }

  private reportNow(): void {
    if (this.finished || !this.onProgress) return;
    while (this.head < this.counts.length && this.counts[this.head] === 0) this.head++;
    const oldest = this.indexes[this.head] ?? this.reached;
    if (oldest <= this.reported) return;
    this.reported = oldest;
    this.onProgress?.(oldest);
  }
}

/**
 * A CountingAck's holds for an in-order consumer: the slots of the holds not yet ended, oldest first, and one release
 * that ends the oldest. The queue is emptied (and reused) whenever every hold is ended.
 */
class OrderedAckHolds implements OrderedHolds {
  private readonly slots: number[] = [];
  private head = 0;
  /** Holds of an ack that reports no prefix (no slots to keep: take() gives -1 for all its holds alike). */
  private unslotted = 0;

  constructor(private readonly ack: CountingAck) {}

  hold(index: number): Release {
    if (this.ack.isFinished) return () => {};
    const slot = this.ack.take(index);
    if (slot < 0) this.unslotted++;
    else this.slots.push(slot);
    return this.release;
  }

  readonly release: Release = () => {
    if (this.unslotted > 0) {
      this.unslotted--;
      return this.ack.give(-1);
    }
    if (this.head >= this.slots.length) return;
    const slot = this.slots[this.head++] as number;
    if (this.head === this.slots.length) this.slots.length = this.head = 0;
    this.ack.give(slot);
  };

  releaseNewest(): void {
    if (this.unslotted > 0) {
      this.unslotted--;
      return this.ack.give(-1);
    }
    if (this.head >= this.slots.length) return;
    const slot = this.slots.pop() as number;
    if (this.head === this.slots.length) this.slots.length = this.head = 0;
    this.ack.give(slot);
  }
}

/** An Ack for records nobody waits on. */
export const noAck: Ack = { hold: () => () => {} };

export function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
