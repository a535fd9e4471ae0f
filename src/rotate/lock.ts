// Per-file rotation lock: an O_EXCL file with the holder's pid, so two runs never rotate the same file.
import { constants, promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import { LogwardError } from "../core/errors.js";

interface LockInfo {
  pid: number;
  host: string;
  time: number;
}

export type LockResult = { acquired: true; release(): Promise<void> } | { acquired: false; holder: string };

/** Locks this process holds, so its own pid in a lock file is not mistaken for a stale one. */
const heldHere = new Set<string>();

/** A lock left by a process that died mid-write is considered stale after this long. */
const UNREADABLE_STALE_MS = 10_000;

/**
 * Take the lock at lockPath. A lock whose holder is gone (same host, pid not alive or reused by a
 * non-node process) is broken; a live holder wins and we report it.
 */
export async function acquireLock(lockPath: string): Promise<LockResult> {
  if (heldHere.has(lockPath)) return { acquired: false, holder: `this process (pid ${process.pid})` };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(lockPath)) {
      heldHere.add(lockPath);
      return { acquired: true, release: () => release(lockPath) };
    }
    const seen = await readLock(lockPath);
    if (seen === undefined) continue; // vanished between create and read: try again
    if (!(await isStale(lockPath, seen.info))) return { acquired: false, holder: describe(seen.info) };
    await breakStale(lockPath, seen.raw);
  }
  const last = await readLock(lockPath);
  return { acquired: false, holder: last ? describe(last.info) : "another process" };
}

async function tryCreate(lockPath: string): Promise<boolean> {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), time: Date.now() };
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(lockPath, CREATE_FLAGS, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(info) + "\n");
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(lockPath: string): Promise<{ raw: string; info: LockInfo | undefined } | undefined> {
  try {
    const raw = await readRegular(lockPath);
    try {
      const info = JSON.parse(raw) as LockInfo;
      return { raw, info: typeof info.pid === "number" ? info : undefined };
    } catch {
      return { raw, info: undefined };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * A lock file's content, refusing anything but a regular file: reading a FIFO planted there would block for
 * ever, and a link could point anywhere.
 */
async function readRegular(file: string): Promise<string> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, READ_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOOP") throw err;
    throw invalidLock(file, "is a symbolic link", err);
  }
  try {
    if (!(await handle.stat()).isFile()) throw invalidLock(file, "is not a regular file (a FIFO, socket or device?)");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

function invalidLock(file: string, what: string, cause?: unknown): LogwardError {
  return new LogwardError("ROTATE_LOCK_INVALID", `lock file ${file} ${what}: remove it to rotate this file`, {
    cause,
  });
}

async function isStale(lockPath: string, info: LockInfo | undefined): Promise<boolean> {
  if (!info) {
    // Being written right now, or its writer died between open and write.
    const st = await fsp.lstat(lockPath).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > UNREADABLE_STALE_MS;
  }
  if (info.host !== os.hostname()) return false; // cannot check another host's pids: assume alive
  if (info.pid === process.pid) return !heldHere.has(lockPath);
  return !processAlive(info.pid);
}

/** Alive and plausibly still the holder: a pid reused by a non-node process does not count. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /node|logward/.test(cmdline);
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/**
 * Remove a stale lock without racing another breaker: move it aside (only one mover wins), check it
 * is the stale one we read, and put it back if it turned out to be someone's fresh lock.
 */
async function breakStale(lockPath: string, staleRaw: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readRegular(aside).catch(() => "");
  if (moved !== staleRaw) await fsp.link(aside, lockPath).catch(() => {});
  await fsp.unlink(aside).catch(() => {});
}

async function release(lockPath: string): Promise<void> {
  heldHere.delete(lockPath);
  await fsp.unlink(lockPath).catch(() => {});
}

function describe(info: LockInfo | undefined): string {
  return info ? `pid ${info.pid} on ${info.host} since ${new Date(info.time).toISOString()}` : "another process";
}
