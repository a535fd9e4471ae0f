// Threshold windows ("5 in 1 minute") on the records' own time, reset after each firing like fail2ban.

/** How far beyond the window a late line may be before the window starts over instead of ignoring it. */
export const TIME_JUMP_RESET_MS = 60_000;

export class ThresholdWindow<T> {
  private entries: { item: T; time: number }[] = [];
  private newest = -Infinity;

  constructor(
    private readonly count: number,
    private readonly within: number,
  ) {}

  /**
   * Add one match. Returns the matches that fill the window (count of them, within `within` ms of the
   * newest) and starts a new window; undefined while the window is not full.
   */
  add(item: T, time: number): T[] | undefined {
    const entry = { item, time };
    if (time < this.newest - this.within - TIME_JUMP_RESET_MS) {
      // The log's time went far back (an older file, a replay): what we hold belongs to another era.
      this.entries = [];
      this.newest = time;
    } else {
      this.newest = Math.max(this.newest, time);
    }
    this.entries.push(entry);
    const oldest = this.newest - this.within;
    // Slightly out-of-order lines are kept while inside the window, so evict by time, not by position.
    if (this.entries.some((e) => e.time < oldest)) this.entries = this.entries.filter((e) => e.time >= oldest);
    if (this.entries.length < this.count) return undefined;
    const full = this.entries.map((e) => e.item);
    this.entries = [];
    return full;
  }

  /** Matches currently held (for tests and introspection). */
  get size(): number {
    return this.entries.length;
  }
}
