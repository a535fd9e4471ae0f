// Needles anchored at a line start (a leading newline), tested only where lines start (line_starts in scan.wat):
// the bytes after each newline hashed into a small table, so their cost follows the lines, not the bytes.
import type { KernelLineStarts } from "./kernel/kernel.js";
import { type Entry, needleTable, push, type WindowNeedle } from "./window-filter.js";
import { MUL_TABLE } from "./window-hash.js";

export class LineStarts implements KernelLineStarts {
  readonly table: Uint8Array;
  readonly shift: number;
  readonly mask: number;
  readonly needleTable: Uint8Array;

  /** `needles`: distinct, normalized (window-filter.ts), each a newline and at least one byte after it. */
  constructor(needles: readonly WindowNeedle[]) {
    const width = Math.min(4, ...needles.map((n) => n.bytes.length - 1));
    if (!(width >= 1)) throw new RangeError("a line-start needle has a newline and a byte after it");
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
      this.table[slot] = 1;
      push(bySlot, slot, { bytes, fold, at: 1 });
    }
    this.needleTable = needleTable(bySlot, this.table.length);
  }
}
