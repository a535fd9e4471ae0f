// The window filter's hashing: windows read little-endian with each byte OR 0x20, and the hashes the byte and
// bit tables (and the kernel, which uses the same multipliers) index them by.

/** Hash multipliers of the byte table and of the second-level bit table (the kernel uses the same). */
export const MUL_TABLE = 0x9e3779b1;
const MUL_BITS = 0x85ebca77;
/** Mixes a window's second 4 bytes into its bit-table hash when the needle holds 8 bytes from the window on. */
const MUL_HIGH = 0xc2b2ae3d;
const MUL_OFFSET = 0x27d4eb2f;
export const LOWER_ALL = 0x20202020;
export const LOWER_PAIR = 0x2020;
export const PAIR_SLOTS = 1 << 16;

/** The window's bytes little-endian (as the kernel loads them), each OR 0x20. */
export function windowAt(bytes: Buffer, at: number, width: number): number {
  if (width === 4) return (bytes.readUInt32LE(at) | LOWER_ALL) >>> 0;
  if (width === 2) return bytes.readUInt16LE(at) | LOWER_PAIR;
  return bytes[at] as number;
}

/** Where the 8 bytes the bit table tests for a window at `at` start: at the window, or as near as the needle allows. */
export function contextAt(bytes: Buffer, at: number): number {
  return Math.min(at, bytes.length - 8);
}

/** The 4 bytes at p (those past the chunk read as 0), each OR 0x20. */
export function word(chunk: Buffer, p: number): number {
  return (p + 4 <= chunk.length ? chunk.readUInt32LE(p) : tail(chunk, p)) | LOWER_ALL;
}

/** A context hash told apart by how far before the window it starts (the same context elsewhere is no hit). */
export function withOffset(hash: number, offset: number): number {
  return (hash + Math.imul(offset, MUL_OFFSET)) | 0;
}

/** The bit table's hash of a window (each byte OR 0x20), and of the 4 bytes after it when given. */
export function bitHash(window: number, high: number | undefined): number {
  return Math.imul(high === undefined ? window : window ^ Math.imul(high, MUL_HIGH), MUL_BITS);
}

/** The 4 bytes at p, little-endian, those past the chunk's end read as 0. */
export function tail(chunk: Buffer, p: number): number {
  return (chunk[p] ?? 0) | ((chunk[p + 1] ?? 0) << 8) | ((chunk[p + 2] ?? 0) << 16) | ((chunk[p + 3] ?? 0) << 24);
}
