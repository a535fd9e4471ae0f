// Space-saving top-K: counts the heaviest keys of an unbounded stream in fixed memory (a min-heap of counters).
import { detach } from "../parsers/access.js";

export interface TopEntry {
  name: string;
  hits: number;
}

/**
 * Keeps at most `capacity` counters. A new key, when full, takes over the smallest counter and
 * inherits its count (Metwally et al.): every key whose true count exceeds total/capacity is kept,
 * and no count is ever under-estimated. `approximate` tells when a takeover has happened.
 */
export class SpaceSaving {
  private readonly keys: string[] = [];
  private readonly counts: number[] = [];
  private readonly index = new Map<string, number>();
  approximate = false;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("capacity must be at least 1");
  }

  get size(): number {
    return this.keys.length;
  }

  add(key: string, n = 1): void {
    const at = this.index.get(key);
    if (at !== undefined) {
      this.counts[at] = (this.counts[at] as number) + n;
      this.siftDown(at);
      return;
    }
    key = detach(key); // kept for the whole interval: must not pin the chunk it was cut from
    if (this.keys.length < this.capacity) {
      this.keys.push(key);
      this.counts.push(n);
      this.index.set(key, this.keys.length - 1);
      this.siftUp(this.keys.length - 1);
      return;
    }
    this.approximate = true;
    this.index.delete(this.keys[0] as string);
    this.keys[0] = key;
    this.counts[0] = (this.counts[0] as number) + n;
    this.index.set(key, 0);
    this.siftDown(0);
  }

  /**
   * The n heaviest keys, heaviest first (ties by name, so output is stable). A selection, not a
   * sort: one pass keeps the best n indexes in order, so most counters cost one count comparison.
   */
  top(n: number): TopEntry[] {
    const best: number[] = [];
    const limit = Math.min(n, this.keys.length);
    if (limit <= 0) return [];
    for (let i = 0; i < this.keys.length; i++) {
      if (best.length === limit && !this.before(i, best[limit - 1] as number)) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && this.before(i, best[at - 1] as number)) {
        best[at] = best[at - 1] as number;
        at--;
      }
      best[at] = i;
    }
    return best.map((i) => ({ name: this.keys[i] as string, hits: this.counts[i] as number }));
  }

  /** Whether counter a ranks before counter b: more hits, or as many and a smaller name. */
  private before(a: number, b: number): boolean {
    const ca = this.counts[a] as number;
    const cb = this.counts[b] as number;
    if (ca !== cb) return ca > cb;
    return (this.keys[a] as string) < (this.keys[b] as string);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.counts[parent] as number) <= (this.counts[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const size = this.keys.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < size && (this.counts[left] as number) < (this.counts[smallest] as number)) smallest = left;
      if (right < size && (this.counts[right] as number) < (this.counts[smallest] as number)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const ka = this.keys[a] as string;
    const kb = this.keys[b] as string;
    this.keys[a] = kb;
    this.keys[b] = ka;
    const ca = this.counts[a] as number;
    this.counts[a] = this.counts[b] as number;
    this.counts[b] = ca;
    this.index.set(kb, a);
    this.index.set(ka, b);
  }
}
