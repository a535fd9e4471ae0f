// The journal cursor as a checkpoint: a batch's cursor is saved once it and every batch before it are delivered.
import type { CheckpointStore } from "../../core/checkpoint.js";

interface Pending {
  cursor: string;
  entries: number;
  finished: boolean;
}

export class CursorCommits {
  private readonly pending: Pending[] = [];
  /** Entries delivered over the source's life: the checkpoint's `offset` (the cursor is the position). */
  private delivered: number;
  private waiters: (() => void)[] = [];
  private stalled = false;
  /** The saved cursor at start: reading resumes after it. */
  readonly saved: string | undefined;

  constructor(
    private readonly store: CheckpointStore,
    private readonly source: string,
    private readonly key: string,
  ) {
    const checkpoint = store.get(source, key);
    this.saved = typeof checkpoint?.cursor === "string" ? checkpoint.cursor : undefined;
    this.delivered = this.saved === undefined ? 0 : (checkpoint?.offset ?? 0);
  }

  /** Save a starting position at once (nothing before it is to be delivered). */
  begin(cursor: string): void {
    this.store.set(this.source, this.key, { offset: this.delivered, cursor });
  }

  /** A batch handed on, ending at cursor; call done() when every record of it is delivered. */
  add(cursor: string, entries: number): { done(): void } {
    const entry: Pending = { cursor, entries, finished: false };
    this.pending.push(entry);
    return {
      done: () => {
        entry.finished = true;
        this.advance();
      },
    };
  }

  /** A batch was lost before delivery: the cursor must not move past it any more (a restart reads it again). */
  stall(): void {
    this.stalled = true;
  }

  /** Resolves when no batch is waiting for delivery. */
  idle(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Batches finish in any order; the cursor moves only over the delivered prefix. */
  private advance(): void {
    let last: Pending | undefined;
    while (this.pending[0]?.finished) {
      last = this.pending.shift()!;
      this.delivered += last.entries;
    }
    if (last && !this.stalled) this.store.set(this.source, this.key, { offset: this.delivered, cursor: last.cursor });
    if (this.pending.length === 0) for (const wake of this.waiters.splice(0)) wake();
  }
}
