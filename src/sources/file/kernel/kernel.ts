// The SIMD scanning kernel (scan.wat): counts newlines and finds literals in a region copied into its memory.
import { SCAN_WASM_BASE64 } from "./scan-wasm.js";

/** Bytes one region may have: a filtered read (CHUNK_BYTES) fits. */
export const KERNEL_REGION_BYTES = 1 << 20;
/** Longest needle the kernel takes (the memory's last page holds it); longer ones use the plain search. */
export const KERNEL_NEEDLE_BYTES = 65536;
const PAGE_BYTES = 65536;
const NEEDLE_AT = KERNEL_REGION_BYTES;
/** Bytes a Teddy search's tables may take (see teddy in scan.wat): the page after the needle's. */
export const KERNEL_TEDDY_BYTES = 65536;
const TEDDY_AT = NEEDLE_AT + KERNEL_NEEDLE_BYTES;
/** The window filter's tables, after the Teddy page (the memory grows to hold them). */
const FILTER_AT = TEDDY_AT + KERNEL_TEDDY_BYTES;
/** Filters whose tables stay in the memory at once: a region's passes (window filter, line starts) and spares. */
const RESIDENT_FILTERS = 6;

interface KernelExports {
  count(from: number, end: number): number;
  teddy(from: number, end: number, tables: number): number;
  teddy_budget: WebAssembly.Global;
  window_filter(
    from: number,
    end: number,
    t: number,
    s1: number,
    b: number,
    s2: number,
    t2: number,
    step: number,
    regionFrom: number,
    needleTable: number,
  ): number;
  wf_verified: WebAssembly.Global;
  line_starts(
    from: number,
    end: number,
    t: number,
    s1: number,
    mask: number,
    next: number,
    regionFrom: number,
    v: number,
  ): number;
  find(
    from: number,
    end: number,
    needle: number,
    length: number,
    first: number,
    second: number,
    or1: number,
    or2: number,
    fold: number,
  ): number;
}

/**
 * A needle as the kernel searches for it: its bytes and the two positions tested first (its rarest bytes); with
 * `fold`, bytes in lower case, found ignoring ASCII case.
 */
export interface KernelNeedle {
  readonly bytes: Buffer;
  readonly pair: readonly [number, number];
  readonly fold?: boolean;
}

const isLower = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x61 && byte <= 0x7a;

/**
 * One module instance and its memory: [0, KERNEL_REGION_BYTES) holds the region being scanned, the page after it
 * the needle. Copying a 1 MB region costs about 30 µs, a tenth of scanning it with Buffer.indexOf; the copy keeps
 * the caller's buffers ordinary (a WebAssembly memory cannot hand out slices that outlive a grow).
 */
export class ScanKernel {
  private memory: Buffer;
  private readonly wasmMemory: WebAssembly.Memory;
  private readonly exports: KernelExports;
  private needle: KernelNeedle | undefined;
  /** Where in the caller's buffer the loaded region starts. */
  private base = 0;

  constructor(module: WebAssembly.Module) {
    const memory = new WebAssembly.Memory({ initial: FILTER_AT / PAGE_BYTES });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.wasmMemory = memory;
    this.memory = Buffer.from(memory.buffer);
  }

  /** Copy chunk[from, end) in: later calls take offsets of the same chunk, which must lie in that region. */
  load(chunk: Buffer, from: number, end: number): void {
    if (end - from > KERNEL_REGION_BYTES)
      throw new RangeError(`a kernel region holds at most ${KERNEL_REGION_BYTES} bytes`);
    chunk.copy(this.memory, 0, from, end);
    this.base = from;
  }

  /** Newlines in chunk[from, end). */
  count(from: number, end: number): number {
    return this.exports.count(from - this.base, end - this.base);
  }

  /** Where the needle first starts in chunk[from, end) (wholly inside it), or -1. */
  find(needle: KernelNeedle, from: number, end: number): number {
    const length = needle.bytes.length;
    if (length === 0 || length > KERNEL_NEEDLE_BYTES)
      throw new RangeError(`a kernel needle has 1 to ${KERNEL_NEEDLE_BYTES} bytes`);
    if (this.needle !== needle) {
      needle.bytes.copy(this.memory, NEEDLE_AT);
      this.needle = needle;
    }
    const [first, second] = needle.pair;
    const fold = needle.fold === true;
    // Folding, a letter of the pair matches either case: OR 32 into the text byte (lowers A-Z) before comparing.
    const or1 = fold && isLower(needle.bytes[first]) ? 32 : 0;
    const or2 = fold && isLower(needle.bytes[second]) ? 32 : 0;
    const at = from - this.base;
    const hit = this.exports.find(at, end - this.base, NEEDLE_AT, length, first, second, or1, or2, fold ? 1 : 0);
    return hit < 0 ? -1 : hit + this.base;
  }

  /**
   * Teddy's search (see teddy in scan.wat) over chunk[from, end): the first needle hit's start (plus one for a
   * needle anchored at a line start, so a position in the hit's line), or -1; TEDDY_GAVE_UP when teddyBudget
   * comparisons of candidates did not suffice. Its tables are copied in when they change (a new Buffer).
   */
  runTeddy(teddy: KernelTeddy, from: number, end: number): number {
    if (this.teddyTables !== teddy.tables) {
      if (teddy.tables.length > KERNEL_TEDDY_BYTES) throw new RangeError(`Teddy tables exceed ${KERNEL_TEDDY_BYTES}`);
      teddy.tables.copy(this.memory, TEDDY_AT);
      this.teddyTables = teddy.tables;
    }
    const at = this.exports.teddy(from - this.base, end - this.base, TEDDY_AT);
    return at < 0 ? at : at + this.base;
  }

  /** Comparisons of candidates runTeddy may still make. */
  get teddyBudget(): number {
    return this.exports.teddy_budget.value as number;
  }

  set teddyBudget(comparisons: number) {
    this.exports.teddy_budget.value = Math.min(comparisons, 0x7fffffff); // an i32: more would wrap
  }

  private teddyTables: Buffer | undefined;
  /**
   * The first position in chunk[from, end) that passes a window filter (see window_filter in scan.wat), or -1;
   * with the filter's needle table, a long-window pass is verified in the kernel (the region starting a line at
   * regionFrom): it returns only such hits (their last byte, windowVerified true) or pair-table candidates.
   * Its tables are copied in when they change (after the Teddy page).
   */
  runWindowFilter(tables: KernelWindowFilter, from: number, end: number, regionFrom = from): number {
    // No array per call: a scan calls this for every candidate with the same filter.
    const parts =
      this.partsOf(tables) ?? this.place(tables, [tables.table, tables.bits, tables.pairs, tables.needleTable]);
    const base = this.base;
    const at = this.exports.window_filter(
      from - base,
      end - base,
      parts[0] ?? 0,
      tables.shift,
      parts[1] ?? 0,
      tables.bitsShift,
      parts[2] ?? 0,
      tables.stride,
      regionFrom - base,
      parts[3] ?? 0,
    );
    return at < 0 ? -1 : at + base;
  }

  /**
   * The last byte of the first line-start needle occurrence in chunk[from - 1, end) (see line_starts in scan.wat;
   * the region starts a line at regionFrom, read as if a newline were before it), or -1.
   */
  runLineStarts(tables: KernelLineStarts, from: number, end: number, regionFrom: number): number {
    const parts = this.partsOf(tables) ?? this.place(tables, [tables.table, tables.needleTable]);
    const base = this.base;
    const at = this.exports.line_starts(
      from - base,
      end - base,
      parts[0] ?? 0,
      tables.shift,
      tables.mask,
      tables.next,
      regionFrom - base,
      parts[1] ?? 0,
    );
    return at < 0 ? -1 : at + base;
  }

  /** Whether the last runWindowFilter returned a verified hit (not a candidate). */
  get windowVerified(): boolean {
    return this.exports.wf_verified.value === 1;
  }

  /** The filters whose tables are in the memory (after the Teddy page), and where each of their parts is. */
  private resident = new Map<object, number[]>();
  private residentEnd = FILTER_AT;
  /** The owner placed or found last, and where its parts are: a scan asks for the same one many times in a row. */
  private lastOwner: object | undefined;
  private lastParts: number[] = [];

  /**
   * Where the parts of an owner's tables are in the memory (0 for a null part), copied in on first use: a few
   * owners stay resident at once (a region's passes each have theirs); more start the memory's tables afresh.
   */
  private place(owner: object, parts: readonly (Uint8Array | null)[]): number[] {
    if (this.resident.size >= RESIDENT_FILTERS) {
      this.resident.clear();
      this.residentEnd = FILTER_AT;
    }
    const offsets: number[] = [];
    let at = this.residentEnd;
    for (const part of parts) {
      offsets.push(part ? at : 0);
      // 8-aligned, so each table starts on its own words.
      at += part ? (part.byteLength + 7) & ~7 : 0;
    }
    this.reserve(at);
    parts.forEach((part, i) => {
      if (part) this.memory.set(part, offsets[i] as number);
    });
    this.residentEnd = at;
    this.resident.set(owner, offsets);
    this.lastOwner = owner;
    this.lastParts = offsets;
    return offsets;
  }

  /** Where an owner's resident tables are, or undefined when they are not in the memory. */
  private partsOf(owner: object): number[] | undefined {
    if (owner === this.lastOwner) return this.lastParts;
    const known = this.resident.get(owner);
    if (known) {
      this.lastOwner = owner;
      this.lastParts = known;
    }
    return known;
  }

  /** Grow the memory to at least `need` bytes. */
  private reserve(need: number): void {
    if (need <= this.wasmMemory.buffer.byteLength) return;
    this.wasmMemory.grow(Math.ceil((need - this.wasmMemory.buffer.byteLength) / PAGE_BYTES));
    this.memory = Buffer.from(this.wasmMemory.buffer);
  }
}

/**
 * A window filter as the kernel runs it: a byte per hash of a 4-byte window (hash >>> shift; its bits say which
 * second hashes to test, see $long in scan.wat), a bit per second hash (>>> bitsShift), optionally a byte per
 * 2-byte window, and optionally the needles to verify in the kernel.
 */
export interface KernelWindowFilter {
  readonly table: Uint8Array;
  readonly shift: number;
  readonly bits: Uint8Array;
  readonly bitsShift: number;
  readonly pairs: Uint8Array | null;
  readonly stride: number;
  /** The needles per byte-table slot, laid out as $wf_bucket in scan.wat reads them; null: the caller verifies. */
  readonly needleTable: Uint8Array | null;
}

/** Line-start needles as the kernel finds them (line_starts in scan.wat): a byte table and the needles per slot. */
export interface KernelLineStarts {
  readonly table: Uint8Array;
  readonly shift: number;
  /** The bytes of the 4 after a newline that are hashed (needles with fewer after their newline). */
  readonly mask: number;
  /** Where after the newline the byte a slot's mark tests is (see line_starts). */
  readonly next: number;
  readonly needleTable: Uint8Array;
}

/** A Teddy search as the kernel runs it: its tables, laid out as teddy in scan.wat reads them. */
export interface KernelTeddy {
  readonly tables: Buffer;
}

/** What runTeddy returns when its budget ran out. */
export const TEDDY_GAVE_UP = -2;

let shared: ScanKernel | null | undefined;

/**
 * The process's kernel, made on first use; undefined when this runtime cannot run it (no WebAssembly SIMD), and
 * then callers use Buffer.indexOf. One is enough: every scan is synchronous, so no two overlap.
 */
export function scanKernel(): ScanKernel | undefined {
  if (shared === undefined) shared = loadKernel();
  return shared ?? undefined;
}

function loadKernel(): ScanKernel | null {
  try {
    const bytes = Buffer.from(SCAN_WASM_BASE64, "base64");
    if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return null;
    return new ScanKernel(new WebAssembly.Module(bytes));
  } catch {
    return null; // e.g. WebAssembly disabled (--jitless): the plain search is correct, only slower
  }
}
