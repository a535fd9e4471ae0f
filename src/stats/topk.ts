// Space-saving top-K: counts the heaviest keys of an unbounded stream in fixed memory, without a string per hit.
import { finishHash, FNV_OFFSET, FNV_PRIME, KeyTable, type KeySource } from "./keytable.js";

export interface TopEntry {
  name: string;
  hits: number;
}

const INITIAL_SLOTS = 64;

/**
 * Keeps at most `capacity` counters. A new key, when full, takes over the smallest counter and
 * inherits its count (Metwally et al.): every key whose true count exceeds total/capacity is kept,
 * and no count is ever under-estimated. `approximate` tells when a takeover has happened.
 *
 * A key is a range of a text (a line inside a chunk's text): its characters are copied into the
 * key table only when it gets a counter, and names are made only for what top() returns, so
 * counting allocates nothing per hit. Counters are slots of typed arrays; the min-heap on hits
 * holds slot numbers (the same sifts, and so the same evictions, as a heap of objects).
 */
export class SpaceSaving {
  approximate = false;
  private readonly keys = new KeyTable(INITIAL_SLOTS);
  private hits = new Float64Array(INITIAL_SLOTS);
  /** Heap place of each slot, and the slot at each heap place. */
  private place = new Int32Array(INITIAL_SLOTS);
  private heap = new Int32Array(INITIAL_SLOTS);
  private filled = 0;
  /** Reused by top(): the slots selected so far, best first. */
  private readonly best: number[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("capacity must be at least 1");
  }

  get size(): number {
    return this.filled;
  }

  /** Count text[start, end) (the whole text by default) n times. */
  add(text: string, start = 0, end = text.length, n = 1): void {
    this.count(text, start, end, KeyTable.hash(text, start, end), n);
  }

  /** Count the UTF-8 bytes buf[start, end) as the text they decode to. */
  addBytes(buf: Buffer, start: number, end: number): void {
    // One pass hashes the bytes and tells whether they are all ASCII (then they are their own text).
    let h = FNV_OFFSET;
    let high = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      high |= c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    if (high > 127)
      this.add(buf.toString("utf8", start, end)); // rare: decoded, so the key is the text's
    else this.count(buf, start, end, finishHash(h), 1);
  }

  /** Count source[start, end), whose KeyTable.hash is `hash`, n times. */
  private count(source: KeySource, start: number, end: number, hash: number, n: number): void {
    const found = this.keys.find(source, start, end, hash);
    if (found >= 0) {
      this.hits[found]! += n;
      this.siftDown(this.place[found]!);
      return;
    }
    if (this.filled < this.capacity) {
      const slot = this.filled++;
      if (slot === this.hits.length) this.grow();
      this.keys.insert(slot, source, start, end, hash);
      this.hits[slot] = n;
      this.heap[slot] = slot;
      this.place[slot] = slot;
      this.siftUp(slot);
      return;
    }
    this.approximate = true;
    const smallest = this.heap[0]!;
    this.keys.replace(smallest, source, start, end, hash);
    this.hits[smallest]! += n;
    this.siftDown(0);
  }

  /**
   * The n heaviest keys, heaviest first (ties by name, so output is stable). A selection, not a
   * sort: one pass keeps the best n counters in order, so most counters cost one count comparison.
   */
  top(n: number): TopEntry[] {
    const limit = Math.min(n, this.filled);
    if (limit <= 0) return [];
    const best = this.best;
    best.length = 0;
    for (let p = 0; p < this.filled; p++) {
      const slot = this.heap[p]!;
      if (best.length === limit && !this.before(slot, best[limit - 1]!)) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && this.before(slot, best[at - 1]!)) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = slot;
    }
    return best.map((slot) => ({ name: this.keys.name(slot), hits: this.hits[slot]! }));
  }

  /** Forget every key (for the next interval), keeping the memory unless it grew far beyond what was used. */
  clear(): void {
    if (this.hits.length > INITIAL_SLOTS * 16 && this.filled * 8 < this.hits.length) {
      this.hits = new Float64Array(INITIAL_SLOTS);
      this.place = new Int32Array(INITIAL_SLOTS);
      this.heap = new Int32Array(INITIAL_SLOTS);
      this.keys.reset(INITIAL_SLOTS);
    } else {
      this.keys.reset(this.hits.length);
    }
    this.filled = 0;
    this.approximate = false;
  }

  /** Whether slot a ranks before slot b: more hits, or as many and a smaller name. */
  private before(a: number, b: number): boolean {
    const ha = this.hits[a]!;
    const hb = this.hits[b]!;
    if (ha !== hb) return ha > hb;
    return this.keys.compare(a, b) < 0;
  }

  private grow(): void {
    const slots = Math.min(this.capacity, this.hits.length * 2);
    const hits = new Float64Array(slots);
    hits.set(this.hits);
    const place = new Int32Array(slots);
    place.set(this.place);
    const heap = new Int32Array(slots);
    heap.set(this.heap);
    this.hits = hits;
    this.place = place;
    this.heap = heap;
    this.keys.grow(slots);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const hits = this.hits;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hits[heap[parent]!]! <= hits[heap[i]!]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const hits = this.hits;
    const size = this.filled;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < size && hits[heap[left]!]! < hits[heap[smallest]!]!) smallest = left;
      if (right < size && hits[heap[right]!]! < hits[heap[smallest]!]!) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const sa = this.heap[a]!;
    const sb = this.heap[b]!;
    this.heap[a] = sb;
    this.heap[b] = sa;
    this.place[sb] = a;
    this.place[sa] = b;
  }
}
