// AckTracker: a file's checkpoint advances only past batches that, with every older batch, are acknowledged.

interface Entry {
  end: number;
  done: boolean;
  /** Offset up to which this batch's records are delivered while the rest is not (yet). */
  partial?: number;
}

export type CommitListener = (offset: number) => void;

export class AckTracker {
  private readonly queue: Entry[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** Offset up to which everything is delivered. */
    public committed: number,
    private onCommit: CommitListener,
  ) {}

  /** Batches emitted and not yet acknowledged (or waiting behind an older one). */
  get pending(): number {
    return this.queue.length;
  }

  /** Register a batch that ends at `end`; call `done` when it is acknowledged, `cancel` if it was never handed over. */
  add(end: number): { done: () => void; cancel: () => void; progress: (offset: number) => void } {
    const entry: Entry = { end, done: false };
    this.queue.push(entry);
    let settled = false;
    return {
      done: () => {
        if (settled) return;
        settled = true;
        entry.done = true;
        this.advance();
      },
      /** The batch's records before `offset` are delivered: commit that far once every older batch is. */
      progress: (offset: number) => {
        if (settled || offset <= (entry.partial ?? -1) || offset > end) return;
        entry.partial = offset;
        this.advance();
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        this.advance();
      },
    };
  }

  /** Send later commits elsewhere (a truncated file's in-flight batches now belong to its rotated copy). */
  retarget(onCommit: CommitListener): void {
    this.onCommit = onCommit;
  }

  /** Resolves once nothing is pending. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private advance(): void {
    let moved = false;
    while (this.queue[0]?.done) {
      const entry = this.queue.shift() as Entry;
      if (entry.end > this.committed) {
        this.committed = entry.end;
        moved = true;
      }
    }
    const partial = this.queue[0]?.partial;
    if (partial !== undefined && partial > this.committed) {
      this.committed = partial;
      moved = true;
    }
    if (moved) this.onCommit(this.committed);
    if (this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
