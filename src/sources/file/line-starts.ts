// Needles anchored at a line start (a leading newline), tested only where lines start (line_starts in scan.wat):
// the bytes after each newline hashed into a small table, so their cost follows the lines, not the bytes.
import type { KernelLineStarts } from "./kernel/kernel.js";
import { type Entry, needleTable, push, type WindowNeedle } from "./window-filter.js";
import { MUL_TABLE } from "./window-hash.js";

/** A slot's byte when its lines are all verified. */
const VERIFY = 1;

export class LineStarts implements KernelLineStarts {
  readonly table: Uint8Array;
  readonly shift: number;
  readonly mask: number;
  /** How far after the newline the byte a slot's mark tests is: just after the hashed ones. */
  readonly next: number;
  readonly needleTable: Uint8Array;

  /** `needles`: distinct, normalized (window-filter.ts), each a newline and at least one byte after it. */
  constructor(needles: readonly WindowNeedle[]) {
    const width = Math.min(4, ...needles.map((n) => n.bytes.length - 1));
    if (!(width >= 1)) throw new RangeError("a line-start needle has a newline and a byte after it");
    this.next = width;
    this.mask = width === 4 ? 0xffffffff : 2 ** (8 * width) - 1;
    const tableBits = Math.min(16, Math.max(8, Math.ceil(Math.log2(needles.length * 64))));
    this.table = new Uint8Array(1 << tableBits);
    this.shift = 32 - tableBits;
    const bySlot = new Map<number, Entry[]>();
    for (const { bytes, fold } of needles) {
      if (bytes[0] !== 0x0a) throw new RangeError("a line-start needle starts with a newline");
      let key = 0;
      for (let i = 0; i < width; i++) key |= ((bytes[1 + i] as number) | 0x20) << (8 * i);
      const slot = Math.imul(key & this.mask, MUL_TABLE) >>> this.shift;
      this.table[slot] = mark(this.table[slot] as number, bytes, width);
      push(bySlot, slot, { bytes, fold, at: 1 });
    }
    this.needleTable = needleTable(bySlot, this.table.length);
  }
}

/**
 * A slot's byte once this needle is in it (see line_starts in scan.wat): 0x80 plus the low 7 bits of the needle's
 * byte after the hashed ones (OR 0x20) while every needle of the slot has the same one there; else 1 (verify).
 */
function mark(old: number, bytes: Buffer, width: number): number {
  const after = bytes[1 + width];
  const own = after === undefined ? VERIFY : 0x80 | ((after | 0x20) & 0x7f);
  return old === 0 || old === own ? own : VERIFY;
}
