// Carrying out the planned steps on disk, each one crash-safe: the original or a complete archive survives.
import { constants, ftruncateSync, promises as fsp } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import type { Logger } from "../core/logger.js";
import type { RotateJobConfig } from "./schema.js";
import type { RotateState } from "./state.js";
import type { PlannedAction, Scan } from "./plan.js";
import { parseArchiveName, parseArchiveTemp, TEMP_SUFFIX } from "./naming.js";
import { parseLegacyArchiveName } from "./legacy.js";
import {
  copyMetadata,
  copyRange,
  copyRestSync,
  crashPoint,
  fsyncDir,
  gzipDurable,
  moveDurable,
  openNoFollow,
} from "./fsutil.js";

export interface ApplyContext {
  jobName: string;
  job: RotateJobConfig;
  scan: Scan;
  state: RotateState;
  logger: Logger;
  now: () => number;
  beforeRelease?: (path: string) => Promise<void>;
  afterRotate?: (path: string) => Promise<void>;
  signal?: AbortSignal;
}

/** Run one planned step. */
export async function applyAction(action: PlannedAction, ctx: ApplyContext): Promise<void> {
  switch (action.kind) {
    case "cleanup":
      // A plain copy that grew after its .gz was made (a writer we could not see): compress it again instead.
      if (await grewAfterCompression(action.path)) return compressArchive(action.path, ctx.job.compress_level);
      return removeOwnFile(action.path, ctx.scan);
    case "delete":
      return removeOwnFile(action.path, ctx.scan);
    case "move":
      return moveDurable(action.path, action.to as string);
    case "compress":
      return compressArchive(action.path, ctx.job.compress_level, ctx.signal);
    case "wait":
      return; // left as it is: the next pass looks again
    case "rotate":
      return ctx.job.method === "copytruncate"
        ? copyTruncate(action.to as string, ctx)
        : renameRotate(action.to as string, ctx);
  }
}

/**
 * Delete a file only if it is one of this file's own archives or archive temp files, and a regular
 * file (never a link, never anything else in the folder), whatever the plan says.
 */
async function removeOwnFile(file: string, scan: Scan): Promise<void> {
  const name = path.basename(file);
  const dir = path.dirname(file);
  const legacy = dir === scan.archiveDir ? parseLegacyArchiveName(scan.basename, name) : undefined;
  const own = parseArchiveName(scan.basename, name) ?? parseArchiveTemp(scan.basename, name) ?? legacy;
  if (!own || (dir !== scan.archiveDir && dir !== scan.sourceDir))
    throw new Error(`refusing to delete ${file}: not an archive of ${scan.file}`);
  const st = await fsp.lstat(file).catch(() => undefined);
  if (!st) return;
  if (!st.isFile()) throw new Error(`refusing to delete ${file}: not a regular file`);
  await fsp.unlink(file);
  await fsyncDir(dir);
}

/** Whether `plain` holds more than its complete `.gz` does (gzip's trailer keeps the size, modulo 2^32). */
async function grewAfterCompression(plain: string): Promise<boolean> {
  if (plain.endsWith(TEMP_SUFFIX)) return false;
  const st = await fsp.lstat(plain).catch(() => undefined);
  let gz: fsp.FileHandle | undefined;
  try {
    gz = await openNoFollow(`${plain}.gz`);
    const { size } = await gz.stat();
    if (!st?.isFile() || size < 18) return false;
    const trailer = Buffer.alloc(4);
    await gz.read(trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0) !== st.size % 2 ** 32;
  } catch {
    return false;
  } finally {
    await gz?.close();
  }
}

/** gzip the archive to .gz (temp, fsync, rename), then remove the uncompressed one. */
async function compressArchive(file: string, level: number, signal?: AbortSignal): Promise<void> {
  await gzipDurable(file, `${file}.gz`, level, signal);
  crashPoint("compress:renamed");
  await fsp.unlink(file);
  await fsyncDir(path.dirname(file));
}

/**
 * rename: move the file to its archive name, create an empty file with the old mode and owner,
 * let the writer reopen (afterRotate, post_rotate) and the tailer finish (beforeRelease). When archive_dir is on
 * another filesystem the file stays beside the log under its archive name: moving it means copying and removing
 * it, so a later pass moves it once no writer holds it (a writer's lines would go into the removed file).
 */
async function renameRotate(archive: string, ctx: ApplyContext): Promise<void> {
  const { file, sourceDir } = ctx.scan;
  const before = await fsp.lstat(file);
  let rotated = archive;
  try {
    await fsp.rename(file, archive);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    rotated = path.join(sourceDir, path.basename(archive)); // stage beside the file, move after
    await fsp.rename(file, rotated);
  }
  await fsyncDir(path.dirname(rotated));
  if (rotated !== archive) await fsyncDir(sourceDir);
  crashPoint("rotate:renamed");
  await createEmptyLike(file, before, ctx);
  crashPoint("rotate:created");
  await ctx.afterRotate?.(file);
  await runPostRotate(rotated, ctx);
  await ctx.beforeRelease?.(rotated);
}

/** The fresh file: same mode and owner, created exclusively (an app that already recreated it wins). */
async function createEmptyLike(file: string, before: import("node:fs").Stats, ctx: ApplyContext): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      before.mode & 0o7777,
    );
    await copyMetadata(handle, before, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    ctx.logger.debug({ file }, "file already recreated by its writer");
  } finally {
    await handle?.close();
  }
  await fsyncDir(path.dirname(file));
  const st = await fsp.stat(file);
  await ctx.state.set({ path: file, since: ctx.now(), dev: st.dev, ino: st.ino });
}

/**
 * copytruncate: copy the file to its archive name beside it (temp, fsync, rename), let the tailer catch up,
 * copy what was appended meanwhile and truncate straight after the last read, then let the tailer see the
 * truncation: it reads what it had not read yet from the copy, which is why the copy stays beside the file
 * (where tailers look for it) until then. Only then does it move into archive_dir.
 */
async function copyTruncate(archive: string, ctx: ApplyContext): Promise<void> {
  const { file, sourceDir } = ctx.scan;
  const staged = path.join(sourceDir, path.basename(archive));
  const source = await fsp.open(file, constants.O_RDWR | constants.O_NOFOLLOW);
  try {
    const st = await source.stat();
    const tmp = `${staged}${TEMP_SUFFIX}`;
    const copy = await fsp.open(tmp, "wx", 0o600);
    let copied: number;
    try {
      copied = await copyRange(source, copy, 0);
      await copyMetadata(copy, st);
      await copy.sync();
    } finally {
      await copy.close();
    }
    crashPoint("copy:written");
    await fsp.rename(tmp, staged);
    await fsyncDir(sourceDir);
    crashPoint("copy:renamed");
    await ctx.beforeRelease?.(file);
    await appendRestAndTruncate(source, staged, copied);
    await ctx.state.set({ path: file, since: ctx.now(), dev: st.dev, ino: st.ino });
  } finally {
    await source.close();
  }
  await ctx.afterRotate?.(file);
  await ctx.beforeRelease?.(file);
  if (staged !== archive) await moveDurable(staged, archive);
  await runPostRotate(archive, ctx);
}

/**
 * Append what the app wrote since the copy, then truncate. A line written between the last read and the
 * truncate is lost (inherent to copytruncate); the last reads and the truncate are synchronous so that
 * window is a couple of system calls, not a trip through the thread pool.
 */
async function appendRestAndTruncate(source: fsp.FileHandle, archive: string, copied: number): Promise<void> {
  const out = await fsp.open(archive, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  try {
    const more = await copyRange(source, out, copied);
    copyRestSync(source.fd, out.fd, copied + more);
    ftruncateSync(source.fd, 0);
    await out.sync();
  } finally {
    await out.close();
  }
}

/** post_rotate under /bin/sh: no log content reaches it, only the paths (env). Failure is logged, not fatal. */
async function runPostRotate(rotated: string, ctx: ApplyContext): Promise<void> {
  const command = ctx.job.post_rotate;
  if (!command) return;
  const env = { ...process.env, LOGWARD_ROTATED: rotated, LOGWARD_FILE: ctx.scan.file, LOGWARD_JOB: ctx.jobName };
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], { env, stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
    let output = "";
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString("utf8")).slice(-4096));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => resolve({ code: -1, output: err.message }));
    child.on("close", (code) => resolve({ code, output }));
  });
  const log = {
    job: ctx.jobName,
    file: ctx.scan.file,
    exitCode: result.code,
    output: result.output.trim() || undefined,
  };
  if (result.code === 0) ctx.logger.debug(log, "post_rotate done");
  else ctx.logger.warn(log, "post_rotate failed");
}
