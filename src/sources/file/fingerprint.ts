// File identity: device + inode, plus a checksum of the first bytes to tell a reused inode or a rewritten file apart.
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";

/** How many leading bytes the checksum covers (fewer while the file is shorter; the length is stored). */
export const HEAD_BYTES = 256;

export interface Head {
  /** Bytes covered by the checksum. */
  len: number;
  hash: string;
}

/** What a stat tells us, with dev/ino as exact strings (inode numbers can exceed 2^53). */
export interface FileStat {
  dev: string;
  ino: string;
  size: number;
  mtimeMs: number;
  nlink: number;
  isFile: boolean;
  isDirectory: boolean;
}

export function toFileStat(st: fs.BigIntStats): FileStat {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    mtimeMs: Number(st.mtimeNs / 1_000_000n),
    nlink: Number(st.nlink),
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
  };
}

/** The checkpoint key of a file: stable across renames, different for a recreated file. */
export function fileKey(st: { dev: string; ino: string }): string {
  return `${st.dev}:${st.ino}`;
}

// stat, fstat and the head read are synchronous: each is one short system call on metadata or the page cache,
// where a thread-pool round trip costs more CPU and, when the pool is busy, milliseconds of latency before a new
// line is read (they run on every change event, in sequence). Kept async in signature for the callers.
export async function statPath(path: string): Promise<FileStat> {
  return toFileStat(fs.statSync(path, { bigint: true }));
}

/** stat, or undefined when the path does not exist (other errors are thrown). */
export async function statIfExists(path: string): Promise<FileStat | undefined> {
  try {
    return await statPath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

export async function statHandle(handle: FileHandle): Promise<FileStat> {
  return toFileStat(fs.fstatSync(handle.fd, { bigint: true }));
}

/** What an open file's periodic or per-event check needs: no identity, so no BigInt. */
export type GrowthStat = Pick<FileStat, "size" | "mtimeMs" | "nlink">;

/**
 * fstat for checking an open file, as statHandle would report it. A number fstat is much cheaper than a BigInt one
 * (and far less for the JIT to compile on the live path); its mtimeMs is a double (seconds * 1000 + ns / 1e6) whose
 * floor is FileStat's whole milliseconds except within rounding distance of a millisecond boundary, where the exact
 * BigInt figure is asked for.
 */
export function statGrowth(fd: number): GrowthStat {
  const st = fs.fstatSync(fd);
  const whole = Math.floor(st.mtimeMs);
  const fraction = st.mtimeMs - whole;
  // Below 2^43 ms (year 2248) the sum's rounding error is under 0.0005 ms; negative times truncate, not floor.
  if (
    !Number.isSafeInteger(st.size) ||
    !(st.mtimeMs > 0 && st.mtimeMs < 2 ** 43 && fraction > 0.001 && fraction < 0.999)
  ) {
    const exact = fs.fstatSync(fd, { bigint: true });
    return { size: Number(exact.size), mtimeMs: Number(exact.mtimeNs / 1_000_000n), nlink: Number(exact.nlink) };
  }
  return { size: st.size, mtimeMs: whole, nlink: st.nlink };
}

export function hashBytes(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
}

/**
 * The bytes each head was last computed from or matched: an open file's head is checked on every change event,
 * and comparing 256 bytes is far cheaper than hashing them (a Hash object per call). Keyed by the Head object, so
 * a head replaced when its file grows or is truncated starts over, and heads read from checkpoints are hashed.
 */
const headContent = new WeakMap<Head, Buffer>();

/** The head of a file from its first bytes. */
export function headOf(bytes: Buffer): Head {
  const len = Math.min(bytes.length, HEAD_BYTES);
  const head = { len, hash: hashBytes(bytes.subarray(0, len)) };
  headContent.set(head, Buffer.from(bytes.subarray(0, len)));
  return head;
}

/** Whether bytes (read from a file's start) begin with exactly the content the head describes. */
export function headMatches(bytes: Buffer, head: Head): boolean {
  if (bytes.length < head.len) return false;
  const prefix = bytes.subarray(0, head.len);
  if (headContent.get(head)?.equals(prefix)) return true;
  if (hashBytes(prefix) !== head.hash) return false;
  headContent.set(head, Buffer.from(prefix));
  return true;
}

/** Scratch for head checks: read into, compared, never kept (the reading loop is single-threaded). */
const scratch = Buffer.allocUnsafe(HEAD_BYTES);

/**
 * Whether the file open as fd still begins with the content the head describes: one pread of head.len bytes into
 * a scratch buffer (no allocation), compared with the bytes the head was made from. Runs on every change event.
 */
export function headStillAt(fd: number, head: Head): boolean {
  let got = 0;
  while (got < head.len) {
    const bytesRead = fs.readSync(fd, scratch, got, head.len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return headMatches(scratch.subarray(0, got), head);
}

/** headMatches of the same bytes against many heads: each prefix length is hashed once, not once per head. */
export function headMatcher(bytes: Buffer): (head: Head) => boolean {
  const hashes = new Map<number, string>();
  return (head) => {
    if (bytes.length < head.len) return false;
    let hash = hashes.get(head.len);
    if (hash === undefined) {
      hash = hashBytes(bytes.subarray(0, head.len));
      hashes.set(head.len, hash);
    }
    return hash === head.hash;
  };
}

/** Read a head stored in a checkpoint, if it is well formed. */
export function storedHead(value: unknown): Head | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { len, hash } = value as { len?: unknown; hash?: unknown };
  return typeof len === "number" && typeof hash === "string" ? { len, hash } : undefined;
}

/** Read `len` bytes at `position` (fewer at end of file). */
export async function readAt(handle: FileHandle, position: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const bytesRead = fs.readSync(handle.fd, buf, got, len - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Open a path for reading, returning its handle and what fstat says about the opened file. */
export async function openFile(path: string): Promise<{ handle: FileHandle; stat: FileStat }> {
  const handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return { handle, stat: await statHandle(handle) };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * The start of the line that contains offset-1: where to begin so an unfinished last line is read whole.
 * Looks back at most maxBack bytes; past that the line is over the limit anyway, so start at offset.
 */
/** Where the last `lines` lines before `end` start (like `tail -n`), looking back at most `maxBack` bytes. */
export async function startOfLastLines(
  handle: FileHandle,
  end: number,
  lines: number,
  maxBack: number,
): Promise<number> {
  const step = 64 * 1024;
  let at = end;
  let newlines = 0;
  while (at > 0 && end - at < maxBack) {
    const from = Math.max(0, at - step, end - maxBack);
    const bytes = await readAt(handle, from, at - from);
    // The newline that ends the last line does not start one.
    if (at === end && bytes[bytes.length - 1] === 0x0a) newlines = -1;
    for (let i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] === 0x0a && ++newlines === lines) return from + i + 1;
    }
    at = from;
  }
  return at;
}

export async function lineStartBefore(handle: FileHandle, offset: number, maxBack: number): Promise<number> {
  const step = 64 * 1024;
  let end = offset;
  while (end > 0 && offset - end < maxBack) {
    const from = Math.max(0, end - step, offset - maxBack);
    const bytes = await readAt(handle, from, end - from);
    const nl = bytes.lastIndexOf(0x0a);
    if (nl >= 0) return from + nl + 1;
    end = from;
  }
  return end === 0 ? 0 : offset;
}
