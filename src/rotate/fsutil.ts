// Durable file steps: write to a temp name, fsync, rename, fsync the folder; streaming gzip; cross-fs moves.
import { constants, promises as fsp, readSync, writeSync, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { TEMP_SUFFIX } from "./naming.js";

/**
 * Test hook: LOGWARD_ROTATE_CRASH_AT=<step> kills this process with SIGKILL at that step, so tests
 * can prove a crash anywhere leaves the original or a complete archive. Unset in normal use.
 */
export function crashPoint(step: string): void {
  if (process.env.LOGWARD_ROTATE_CRASH_AT === step) process.kill(process.pid, "SIGKILL");
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replace `file` atomically with `data` (temp, fsync, rename, fsync folder). */
export async function writeFileDurable(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}${TEMP_SUFFIX}`;
  const handle = await fsp.open(tmp, "w", 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** Give a file we created the mode, owner (when root) and times of the file it was made from. */
export async function copyMetadata(handle: FileHandle, from: Stats, times = true): Promise<void> {
  await handle.chmod(from.mode & 0o7777);
  if (process.getuid?.() === 0) await handle.chown(from.uid, from.gid);
  if (times) await handle.utimes(from.atime, from.mtime);
}

/** Open for reading without following a link planted where a file was expected. */
export function openNoFollow(file: string): Promise<FileHandle> {
  return fsp.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
}

/**
 * gzip `src` into `dest` (which must not exist): stream into dest + TEMP_SUFFIX, fsync, rename,
 * fsync the folder. Only then may the caller remove src: a crash leaves src, or a complete dest; an abort
 * (signal) leaves src and no temp file.
 */
export async function gzipDurable(src: string, dest: string, level: number, signal?: AbortSignal): Promise<void> {
  // Streams and zlib only when gzipping: every start loads this file (through the file source's state).
  const [{ Writable }, { pipeline }, { createGzip }] = await Promise.all([
    import("node:stream"),
    import("node:stream/promises"),
    import("node:zlib"),
  ]);
  const input = await openNoFollow(src);
  const st = await input.stat();
  const tmp = dest + TEMP_SUFFIX;
  const output = await fsp.open(tmp, "wx", 0o600);
  try {
    let chunks = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (chunks++ === 1) crashPoint("compress:partial");
        writeAll(output, chunk).then(() => done(), done);
      },
    });
    // An abort stops the stream; the catch below removes the partial temp file.
    await pipeline(readChunks(input), createGzip({ level }), sink, signal ? { signal } : {});
    await copyMetadata(output, st);
    await output.sync();
  } catch (err) {
    await output.close().catch(() => {});
    await fsp.unlink(tmp).catch(() => {});
    throw err;
  } finally {
    await input.close().catch(() => {});
  }
  await output.close();
  crashPoint("compress:written");
  await fsp.rename(tmp, dest);
  await fsyncDir(path.dirname(dest));
}

/** Write all of data at the handle's position (a write may take only part of it). */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length;) done += (await handle.write(data, done, data.length - done)).bytesWritten;
}

/** The content of an open file, in 256 KiB chunks (the handle stays open: the caller closes it). */
async function* readChunks(handle: FileHandle): AsyncGenerator<Buffer> {
  for (let position = 0; ;) {
    const buffer = Buffer.allocUnsafe(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Copy `from` (an open file, from offset) to the end of `to`; returns bytes copied. */
export async function copyRange(from: FileHandle, to: FileHandle, offset: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let copied = 0;
  for (;;) {
    const { bytesRead } = await from.read(buffer, 0, buffer.length, offset + copied);
    if (bytesRead === 0) return copied;
    await writeAll(to, buffer.subarray(0, bytesRead));
    copied += bytesRead;
    if (copied > 1024 * 1024) crashPoint("copy:partial");
  }
}

/** copyRange without yielding to the event loop (for the last few bytes before a truncate); returns bytes copied. */
export function copyRestSync(from: number, to: number, offset: number): number {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let copied = 0;
  for (;;) {
    const bytesRead = readSync(from, buffer, 0, buffer.length, offset + copied);
    if (bytesRead === 0) return copied;
    for (let done = 0; done < bytesRead;) done += writeSync(to, buffer, done, bytesRead - done);
    copied += bytesRead;
  }
}

/**
 * Move a file into `dest` (which must not exist). Same filesystem: rename. Across filesystems:
 * copy to a temp name, fsync, rename, fsync, and only then remove the source.
 */
export async function moveDurable(src: string, dest: string): Promise<void> {
  try {
    await fsp.rename(src, dest);
    await fsyncDir(path.dirname(dest));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
  }
  const input = await openNoFollow(src);
  const tmp = dest + TEMP_SUFFIX;
  try {
    const st = await input.stat();
    const output = await fsp.open(tmp, "wx", 0o600);
    try {
      await copyRange(input, output, 0);
      await copyMetadata(output, st);
      await output.sync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  crashPoint("move:copied");
  await fsp.rename(tmp, dest);
  await fsyncDir(path.dirname(dest));
  await fsp.unlink(src);
  await fsyncDir(path.dirname(src));
}

/** Whether a path exists (as anything, links included). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}
