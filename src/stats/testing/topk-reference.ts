// The string-keyed SpaceSaving as it was before the arena version: the plain path the property tests compare against.
import { detach } from "../../parsers/access.js";

interface TopEntry {
  name: string;
  hits: number;
}

/**
 * Keeps at most `capacity` counters. A new key, when full, takes over the smallest counter and
 * inherits its count (Metwally et al.): every key whose true count exceeds total/capacity is kept,
 * and no count is ever under-estimated. `approximate` tells when a takeover has happened.
 */
/** One counter; `at` is its place in the heap, kept on the counter so a swap never writes to the Map. */
interface Counter {
  name: string;
  hits: number;
  at: number;
}

export class ReferenceSpaceSaving {
  /** A min-heap on hits. */
  private readonly heap: Counter[] = [];
  private readonly index = new Map<string, Counter>();
  approximate = false;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("capacity must be at least 1");
  }

  get size(): number {
    return this.heap.length;
  }

  add(key: string, n = 1): void {
    const counter = this.index.get(key);
    if (counter !== undefined) {
      counter.hits += n;
      this.siftDown(counter.at);
      return;
    }
    key = detach(key); // kept for the whole interval: must not pin the chunk it was cut from
    if (this.heap.length < this.capacity) {
      const added: Counter = { name: key, hits: n, at: this.heap.length };
      this.heap.push(added);
      this.index.set(key, added);
      this.siftUp(added.at);
      return;
    }
    this.approximate = true;
    const smallest = this.heap[0] as Counter;
    this.index.delete(smallest.name);
    smallest.name = key;
    smallest.hits += n;
    this.index.set(key, smallest);
    this.siftDown(0);
  }

  /**
   * The n heaviest keys, heaviest first (ties by name, so output is stable). A selection, not a
   * sort: one pass keeps the best n counters in order, so most counters cost one count comparison.
   */
  top(n: number): TopEntry[] {
    const best: Counter[] = [];
    const limit = Math.min(n, this.heap.length);
    if (limit <= 0) return [];
    for (const counter of this.heap) {
      if (best.length === limit && !before(counter, best[limit - 1] as Counter)) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && before(counter, best[at - 1] as Counter)) {
        best[at] = best[at - 1] as Counter;
        at--;
      }
      best[at] = counter;
    }
    return best.map((c) => ({ name: c.name, hits: c.hits }));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Counter).hits <= (heap[i] as Counter).hits) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const size = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < size && (heap[left] as Counter).hits < (heap[smallest] as Counter).hits) smallest = left;
      if (right < size && (heap[right] as Counter).hits < (heap[smallest] as Counter).hits) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const ca = this.heap[a] as Counter;
    const cb = this.heap[b] as Counter;
    this.heap[a] = cb;
    this.heap[b] = ca;
    cb.at = a;
    ca.at = b;
  }
}

/** Whether counter a ranks before counter b: more hits, or as many and a smaller name. */
function before(a: Counter, b: Counter): boolean {
  if (a.hits !== b.hits) return a.hits > b.hits;
  return a.name < b.name;
}
