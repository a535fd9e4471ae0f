// The keys of a SpaceSaving: text or ASCII byte ranges copied into one array of UTF-16 code units, found through an
// open-addressing index.

const INITIAL_ARENA = 1024;
/** An arena beyond this many code units is given back when the keys are reset. */
const KEEP_ARENA = 1 << 16;
/** Names up to this long are made in one String.fromCharCode call (longer ones in pieces: argument limits). */
const NAME_PIECE = 4096;

/**
 * A key: characters [start, end) of a string, or bytes [start, end) of a buffer holding only ASCII
 * (byte b is then the character with code b, so both forms of a key are the same key).
 */
export type KeySource = string | Uint8Array;

/**
 * Slot-numbered keys (the caller's counter slots). A key is stored once, when its slot gets it, as
 * code units in an arena (so a lookup compares characters in place and never makes a string); the
 * index is a linear-probing hash table of slot + 1 (0 = empty) at most half full, with
 * backward-shift deletion so a replaced key leaves no tombstone.
 */
export class KeyTable {
  private at: Int32Array;
  private length: Int32Array;
  private hashes: Int32Array;
  private table: Int32Array;
  private mask: number;
  private arena = new Uint16Array(INITIAL_ARENA);
  /** Code units written to the arena, and those still belonging to a key (the rest is dead). */
  private used = 0;
  private live = 0;
  private size = 0;
  /** Reused for name(): code units of a piece of a name. */
  private readonly codes: number[] = [];

  constructor(slots: number) {
    this.at = new Int32Array(slots);
    this.length = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
    this.table = new Int32Array(tableSize(slots));
    this.mask = this.table.length - 1;
  }

  /** FNV-1a over the code units of source[start, end), with a final mix so the low bits index well. */
  static hash(source: KeySource, start: number, end: number): number {
    let h = FNV_OFFSET;
    if (typeof source === "string")
      for (let i = start; i < end; i++) h = Math.imul(h ^ source.charCodeAt(i), FNV_PRIME);
    else for (let i = start; i < end; i++) h = Math.imul(h ^ source[i]!, FNV_PRIME);
    return finishHash(h);
  }

  /** The slot holding source[start, end), or -1. */
  find(source: KeySource, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && this.equals(slot, source, start, end)) return slot;
    }
  }

  /** Give a new slot (the next one: slots are added in order) the key source[start, end), which is not in the table. */
  insert(slot: number, source: KeySource, start: number, end: number, hash: number): void {
    this.store(slot, source, start, end, hash);
    this.link(slot);
    this.size++;
  }

  /** Give an existing slot another key (a takeover), which is not in the table. */
  replace(slot: number, source: KeySource, start: number, end: number, hash: number): void {
    this.unlink(slot);
    this.live -= this.length[slot]!;
    this.length[slot] = 0;
    this.store(slot, source, start, end, hash);
    this.link(slot);
  }

  /** The key of a slot as a string. */
  name(slot: number): string {
    const at = this.at[slot]!;
    const end = at + this.length[slot]!;
    const codes = this.codes;
    let name = "";
    for (let from = at; from < end; from += NAME_PIECE) {
      const to = Math.min(end, from + NAME_PIECE);
      codes.length = to - from;
      for (let i = from; i < to; i++) codes[i - from] = this.arena[i]!;
      name += String.fromCharCode.apply(null, codes);
    }
    return name;
  }

  /** Order of the keys of two slots, as `<` orders strings (code unit by code unit, a prefix first). */
  compare(a: number, b: number): number {
    const arena = this.arena;
    const la = this.length[a]!;
    const lb = this.length[b]!;
    const pa = this.at[a]!;
    const pb = this.at[b]!;
    const common = Math.min(la, lb);
    for (let i = 0; i < common; i++) {
      const d = arena[pa + i]! - arena[pb + i]!;
      if (d !== 0) return d;
    }
    return la - lb;
  }

  /** Room for more slots (all current slots hold keys). */
  grow(slots: number): void {
    this.at = extend(this.at, slots);
    this.length = extend(this.length, slots);
    this.hashes = extend(this.hashes, slots);
    if (tableSize(slots) > this.table.length) this.rebuildIndex(tableSize(slots));
  }

  /** Forget every key; per-slot arrays are reallocated only when `slots` differs from their size. */
  reset(slots: number): void {
    if (slots !== this.at.length) {
      this.at = new Int32Array(slots);
      this.length = new Int32Array(slots);
      this.hashes = new Int32Array(slots);
      this.table = new Int32Array(tableSize(slots));
      this.mask = this.table.length - 1;
    } else {
      this.table.fill(0);
    }
    if (this.arena.length > KEEP_ARENA) this.arena = new Uint16Array(INITIAL_ARENA);
    this.used = 0;
    this.live = 0;
    this.size = 0;
  }

  private equals(slot: number, source: KeySource, start: number, end: number): boolean {
    if (this.length[slot] !== end - start) return false;
    const arena = this.arena;
    let p = this.at[slot]!;
    if (typeof source === "string") {
      for (let i = start; i < end; i++, p++) if (arena[p] !== source.charCodeAt(i)) return false;
    } else {
      for (let i = start; i < end; i++, p++) if (arena[p] !== source[i]) return false;
    }
    return true;
  }

  private store(slot: number, source: KeySource, start: number, end: number, hash: number): void {
    const length = end - start;
    if (this.used + length > this.arena.length) this.makeRoom(length);
    const arena = this.arena;
    let p = this.used;
    if (typeof source === "string") for (let i = start; i < end; i++) arena[p++] = source.charCodeAt(i);
    else for (let i = start; i < end; i++) arena[p++] = source[i]!;
    this.at[slot] = this.used;
    this.length[slot] = length;
    this.hashes[slot] = hash;
    this.used = p;
    this.live += length;
  }

  /** A new arena holding only the current keys, with room for `length` more and as much again to spare. */
  private makeRoom(length: number): void {
    let units = INITIAL_ARENA;
    while (units < 2 * (this.live + length)) units *= 2;
    const arena = new Uint16Array(units);
    let p = 0;
    for (let slot = 0; slot < this.size; slot++) {
      const at = this.at[slot]!;
      const keyLength = this.length[slot]!;
      arena.set(this.arena.subarray(at, at + keyLength), p);
      this.at[slot] = p;
      p += keyLength;
    }
    this.arena = arena;
    this.used = p;
  }

  private link(slot: number): void {
    const mask = this.mask;
    let i = this.hashes[slot]! & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = slot + 1;
  }

  /** Remove a slot's entry, moving later entries of the probe run back so lookups never stop short. */
  private unlink(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = this.hashes[slot]! & mask;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    table[hole] = 0;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[table[j]! - 1]! & mask;
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      table[hole] = table[j]!;
      table[j] = 0;
      hole = j;
    }
  }

  private rebuildIndex(size: number): void {
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let slot = 0; slot < this.size; slot++) this.link(slot);
  }
}

/** FNV-1a's start and multiplier (32 bits), for callers that hash while reading the bytes anyway. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** The final mix of KeyTable.hash. */
export function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** A power of two at least twice the slots, so the index is at most half full. */
function tableSize(slots: number): number {
  let size = 16;
  while (size < slots * 2) size *= 2;
  return size;
}

function extend(array: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}
