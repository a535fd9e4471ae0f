// A fixed-capacity ring buffer: the newest items, oldest evicted first, no per-push allocation.

export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
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
}
