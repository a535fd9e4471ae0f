// Threshold windows ("5 in 1 minute") on the records' own time, reset after each firing like fail2ban.

/** How far beyond the window a late line may be before the window starts over instead of ignoring it. */
export const TIME_JUMP_RESET_MS = 60_000;

export class ThresholdWindow<T> {
  /** Matches of the current window in time order; those before `head` have already left it. */
  private entries: { item: T; time: number }[] = [];
  private head = 0;
  private newest = -Infinity;

  constructor(
    private readonly count: number,
    private readonly within: number,
  ) {}

  /**
   * Add one match at `time`. Returns the matches that fill the window (count of them, all within `within`
   * ms of the newest, in time order) and starts a new window; undefined while the window is not full.
   */
  add(item: T, time: number): T[] | undefined {
    if (time < this.newest - this.within - TIME_JUMP_RESET_MS) {
      // The log's time went far back (an older file, a replay): what we hold belongs to another era.
      this.entries = [];
      this.head = 0;
      this.newest = time;
    } else {
      this.newest = Math.max(this.newest, time);
    }
    this.insert({ item, time });
    const oldest = this.newest - this.within;
    while (this.head < this.entries.length && (this.entries[this.head] as { time: number }).time < oldest) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) this.compact();
    if (this.size < this.count) return undefined;
    const full = this.entries.slice(this.head).map((e) => e.item);
    this.entries = [];
    this.head = 0;
    return full;
  }

  /** Matches currently held (for tests and introspection). */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Keep time order; a slightly late line lands near the end, so the scan is short. */
  private insert(entry: { item: T; time: number }): void {
    let at = this.entries.length;
    while (at > this.head && (this.entries[at - 1] as { time: number }).time > entry.time) at--;
    this.entries.splice(at, 0, entry);
  }

  private compact(): void {
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }
}
