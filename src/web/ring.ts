// A fixed-capacity ring buffer: the newest items, oldest evicted first, bounded by count and optionally by bytes.

export interface RingBudget<T> {
  /** Most bytes the items may weigh together; the oldest go first to stay under it (the newest is always kept). */
  maxBytes: number;
  /** An item's weight in bytes (an estimate is enough for a bound). */
  weigh(item: T): number;
}

export class Ring<T> {
  private readonly items: (T | undefined)[];
  private readonly weights: number[] | undefined;
  private start = 0;
  private count = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly budget?: RingBudget<T>,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
    this.weights = budget ? new Array<number>(capacity).fill(0) : undefined;
  }

  get size(): number {
    return this.count;
  }

  /** What the items held weigh together (0 without a budget). */
  get bytes(): number {
    return this.total;
  }

  push(item: T): void {
    if (this.count === this.capacity) this.dropOldest();
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    this.count++;
    if (!this.budget || !this.weights) return;
    const weight = this.budget.weigh(item);
    this.weights[end] = weight;
    this.total += weight;
    while (this.total > this.budget.maxBytes && this.count > 1) this.dropOldest();
  }

  /** The i-th oldest item held (0 = oldest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  /** The newest n items, oldest first. */
  last(n: number): T[] {
    const take = Math.max(0, Math.min(n, this.count));
    const out: T[] = [];
    for (let i = this.count - take; i < this.count; i++) out.push(this.at(i) as T);
    return out;
  }

  /** Items from index i (0 = oldest) to the newest. */
  from(i: number): T[] {
    return this.last(this.count - Math.max(0, i));
  }

  private dropOldest(): void {
    this.items[this.start] = undefined; // let it be collected now, not when its slot is reused
    if (this.weights) {
      this.total -= this.weights[this.start] ?? 0;
      this.weights[this.start] = 0;
    }
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }
}
