// Hits per second of event time in a ring buffer, and their sum over the sliding alert window.

/**
 * Seconds are absolute (epoch seconds). The window at boundary `done` covers [done - span, done);
 * seconds at or after `done` are pending (allowed lateness) and join the sum as `step` passes them.
 */
export class SecondWindow {
  private readonly counts: Float64Array;
  private readonly mask: number;
  /** Seconds before this boundary are final. */
  done = 0;
  /** Hits in [done - span, done). */
  sum = 0;
  /** The latest second that holds hits (or -Infinity). */
  private latest = -Infinity;

  /** span: window length in seconds; ahead: how far past `done` a hit may land. */
  constructor(
    readonly span: number,
    ahead: number,
  ) {
    let size = 1;
    while (size < span + ahead + 4) size *= 2;
    this.counts = new Float64Array(size);
    this.mask = size - 1;
  }

  reset(done: number): void {
    this.counts.fill(0);
    this.done = done;
    this.sum = 0;
    this.latest = -Infinity;
  }

  /** Count a hit in second `second` (≥ done, within `ahead`). */
  add(second: number): void {
    this.counts[second & this.mask]!++;
    if (second > this.latest) this.latest = second;
  }

  /** True when the window and everything pending are empty: time can jump ahead without stepping. */
  idle(): boolean {
    return this.sum === 0 && this.latest < this.done;
  }

  /** Advance the boundary by one second. */
  step(): void {
    this.sum += this.counts[this.done & this.mask]!;
    const leaving = (this.done - this.span) & this.mask;
    this.sum -= this.counts[leaving]!;
    this.counts[leaving] = 0;
    this.done++;
  }

  /** Move the boundary to `done` at once; only when idle(). */
  jump(done: number): void {
    this.done = done;
  }
}
