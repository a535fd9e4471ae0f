// Threshold windows ("5 in 1 minute") on the records' own time, reset after each firing like fail2ban.

/** How far beyond the window a late line may be before the window starts over instead of ignoring it. */
export const TIME_JUMP_RESET_MS = 60_000;

export class ThresholdWindow<T> {
  /** Matches of the current window in time order, and their times; those before `head` have already left it. */
  private items: T[] = [];
  private times: number[] = [];
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
      this.items = [];
      this.times = [];
      this.head = 0;
      this.newest = time;
    } else {
      this.newest = Math.max(this.newest, time);
    }
    this.insert(item, time);
    const oldest = this.newest - this.within;
    while (this.head < this.times.length && (this.times[this.head] as number) < oldest) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) this.compact();
    if (this.size < this.count) return undefined;
    // The array handed out is the window's own (or its tail): a new one starts for the next matches.
    const full = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.times = [];
    this.head = 0;
    return full;
  }

  /** Matches currently held (for tests and introspection). */
  get size(): number {
    return this.times.length - this.head;
  }

  /** Keep time order; a slightly late line lands near the end, so the scan is short. */
  private insert(item: T, time: number): void {
    let at = this.times.length;
    while (at > this.head && (this.times[at - 1] as number) > time) at--;
    if (at === this.times.length) {
      this.items.push(item);
      this.times.push(time);
      return;
    }
    this.items.splice(at, 0, item);
    this.times.splice(at, 0, time);
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.times = this.times.slice(this.head);
    this.head = 0;
  }
}
