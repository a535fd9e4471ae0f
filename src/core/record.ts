// Records (one log line each) and the batches that carry them, with delivery acknowledgement.

export type FieldValue = string | number | boolean | null;
export type Fields = Record<string, FieldValue>;

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
}

export type Release = () => void;

/** A read's worth of records from one source. */
export interface RecordBatch {
  source: string;
  records: LogRecord[];
  ack: Ack;
}

/** An Ack that calls done() once the initial hold and every later hold have been released. */
export class CountingAck implements Ack {
  private pending = 1;
  private finished = false;

  constructor(private readonly done: () => void) {}

  hold(): Release {
    if (this.finished) return () => {};
    this.pending++;
    return once(() => this.release());
  }

  /** Release the initial hold taken at construction: call once dispatch of the batch is complete. */
  readonly releaseInitial: Release = once(() => this.release());

  private release(): void {
    if (--this.pending === 0 && !this.finished) {
      this.finished = true;
      this.done();
    }
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
