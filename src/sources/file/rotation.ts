// Rotation: notice rename+create, delete+recreate and copytruncate on an open file, and recover rotated tails.
import fs from "node:fs";
import path from "node:path";
import type { Checkpoint } from "../../core/checkpoint.js";
import { describeError } from "../../core/errors.js";
import type { Found } from "./discover.js";
import type { FileSet, Opened } from "./files.js";
import {
  type FileStat,
  fileKey,
  HEAD_BYTES,
  type Head,
  headMatcher,
  headMatches,
  headStillAt,
  openFile,
  readAt,
  statGrowth,
  statHandle,
  statIfExists,
  storedHead,
} from "./fingerprint.js";
import type { Tailer } from "./tailer.js";
import { judgeOpen, type Known, type Look, needsHeadCheck } from "./verdict.js";

/** Bytes compared at the end of a suspected copy: a copy is a prefix of its original. */
const TAIL_CHECK_BYTES = 256;

/**
 * Stat an open file and its path, judge what happened (judgeOpen) and act on it: read what it grew by, start over
 * after a truncation, keep reading a rotated file to its end while taking up the new one at its path, and let a
 * retired file go once it is quiet. `checkPath` false skips the stat of the path: a watch event said the file there
 * was only written to.
 */
export async function checkTailer(set: FileSet, t: Tailer, checkPath = true): Promise<void> {
  if (!t.handle || set.tailers.get(t.key) !== t) return;
  let look: Look;
  try {
    look = statGrowth(t.handle.fd);
  } catch (err) {
    set.log.warn({ file: t.path, err: describeError(err) }, "cannot stat open file");
    return;
  }
  const known = t.known();
  if (needsHeadCheck(known, look) && t.head.len > 0) look.headIntact = headStillAt(t.handle.fd, t.head);
  t.observe(look);
  if (judgeOpen(known, look) === "truncated") return handleTruncation(set, t, []);
  if (!known.detached && checkPath) await checkPathOf(set, t, known, look);
  if (t.behind) set.hooks.markDirty(t);
  else if (releasable(set, t)) await set.release(t);
  set.options.metrics.setLag(t.path, t.size - t.acks.committed);
}

/** The file's first bytes are still the ones we identified it by. */
async function headStillMatches(t: Tailer): Promise<boolean> {
  if (t.head.len === 0) return true;
  return t.handle ? headStillAt(t.handle.fd, t.head) : false;
}

/** Does the path still lead to this file? If not, it was rotated: keep reading it, and take up what is there now. */
async function checkPathOf(set: FileSet, t: Tailer, known: Known, look: Look): Promise<void> {
  let now: FileStat | undefined;
  try {
    now = await statIfExists(t.path);
  } catch {
    return; // cannot tell (EACCES on the directory...): keep reading
  }
  const verdict = judgeOpen(known, { ...look, atPath: now ? fileKey(now) : null });
  if (verdict !== "renamed" && verdict !== "deleted") return;
  t.detach(verdict === "deleted" ? "delete" : "rename");
  if (set.byPath.get(t.path) === t) set.byPath.delete(t.path);
  set.options.metrics.rotation(verdict === "deleted" ? "delete" : "rename");
  set.log.info({ file: t.path, kind: t.detached }, "file rotated; reading the old one to its end");
  if (now?.isFile && set.options.matcher.matches(t.path)) {
    const found = { path: t.path, stat: now };
    set.considerNewest([found]);
    await set.place(found, "later");
  }
}

/** A retired file is let go once read to its end, quiet for rotate_wait, and something has replaced it. */
function releasable(set: FileSet, t: Tailer): boolean {
  if (!set.retiring(t) || t.behind) return false;
  if (set.options.clock.now() - t.lastActivityAt < set.options.config.rotate_wait) return false;
  if (t.detached === "rename") return set.byPath.has(t.path) || fs.existsSync(t.path);
  return true; // deleted, a drained copy, or no longer the newest
}

/**
 * The file shrank or its head changed: it was truncated (copytruncate, or `> file`). Read the lines we had not
 * read yet from the rotated copy if there is one, then start over at 0.
 */
export async function handleTruncation(set: FileSet, t: Tailer, extra: Found[]): Promise<void> {
  const from = t.committable;
  const copy = await findCopy(set, { head: t.head, minSize: from, exclude: t.key, near: t.path, extra });
  set.options.metrics.rotation(copy ? "copytruncate" : "truncate");
  if (copy) {
    set.log.info(
      { file: t.path, copy: copy.path, offset: from },
      "file truncated; reading the rest from its rotated copy",
    );
    // The copy inherits the in-flight batches: their offsets are the same in it, so its checkpoint covers them.
    await set.adopt(
      {
        path: copy.path,
        handle: copy.opened.handle,
        stat: copy.opened.stat,
        headBytes: copy.bytes,
        offset: from,
        acks: t.acks,
      },
      "copy",
    );
  } else {
    if (t.holding) await set.hooks.emit(t, t.flushAll());
    t.acks.retarget(() => {}); // their offsets point into content that no longer exists
    set.log.warn(
      { file: t.path, offset: t.readPos },
      "file truncated and no rotated copy found; lines written just before the truncation may be missing",
    );
  }
  t.restartAtZero(await t.readHead(HEAD_BYTES), (offset) => set.commit(t, offset));
  set.commit(t, 0);
  set.state.identityChanged(t);
  set.hooks.markDirty(t);
}

interface CopyQuery {
  head: Head;
  /** The copy must hold at least this many bytes (else it has nothing we have not read). */
  minSize: number;
  exclude: string;
  /** Rotated copies are looked for beside this path. */
  near: string;
  extra: Found[];
}

/** Find a closed file beginning with `head` and long enough: the rotated copy of a truncated file. */
async function findCopy(
  set: FileSet,
  q: CopyQuery,
): Promise<{ path: string; opened: Opened; bytes: Buffer } | undefined> {
  if (q.head.len === 0) return undefined;
  let best: { path: string; opened: Opened; bytes: Buffer } | undefined;
  for (const candidate of await candidatesNear(set, q.near, q.extra)) {
    const key = fileKey(candidate.stat);
    if (key === q.exclude || set.tailers.has(key) || candidate.stat.size < q.minSize) continue;
    const opened = await openFile(candidate.path).catch(() => undefined);
    if (!opened) continue;
    const bytes = await readAt(opened.handle, 0, HEAD_BYTES);
    const better =
      headMatches(bytes, q.head) &&
      fileKey(opened.stat) === key &&
      (!best || opened.stat.mtimeMs > best.opened.stat.mtimeMs);
    if (better) {
      await best?.opened.handle.close();
      best = { path: candidate.path, opened, bytes };
    } else {
      await opened.handle.close();
    }
  }
  return best;
}

/** Files beside `near` whose name starts like it (app.log → app.log.1, app-2026….log), plus known files. */
async function candidatesNear(set: FileSet, near: string, extra: Found[]): Promise<Found[]> {
  const dir = path.dirname(near);
  const stem = path.basename(near).split(".")[0] ?? "";
  const paths = new Set<string>(extra.map((f) => f.path));
  try {
    for (const name of await fs.promises.readdir(dir)) if (name.startsWith(stem)) paths.add(path.join(dir, name));
  } catch {
    // the directory is gone: only the extra candidates remain
  }
  for (const cp of set.options.checkpoints.list(set.name).values()) if (typeof cp.path === "string") paths.add(cp.path);
  const out: Found[] = [];
  for (const p of paths) {
    const stat = await statIfExists(p).catch(() => undefined);
    if (stat?.isFile) out.push({ path: p, stat });
  }
  return out;
}

/**
 * Is a newly found file a copy of a file we have open? A copy starts with the same head and, while the
 * original is intact, ends with the same bytes at the same offset. If the head matches but the original no
 * longer holds those bytes, the original was just truncated: handle that now (it adopts the copy).
 */
export async function copyRelation(
  set: FileSet,
  found: Found,
  opened: Opened,
  bytes: Buffer,
): Promise<"copy" | "adopted" | undefined> {
  // Every open file is a candidate: hash the new file's head once per length, not once per open file.
  const matches = headMatcher(bytes);
  for (const t of [...set.tailers.values()]) {
    if (t.detached === "copy" || t.head.len === 0 || !t.handle || !matches(t.head)) continue;
    if (await isPrefixOf(opened, t)) return "copy";
    await handleTruncationIfShrunk(set, t, found);
    if (set.tailers.has(fileKey(opened.stat))) return "adopted";
  }
  return undefined;
}

async function handleTruncationIfShrunk(set: FileSet, t: Tailer, found: Found): Promise<void> {
  const st = await statHandle(t.handle as NonNullable<Tailer["handle"]>);
  const known = t.known();
  t.observe(st);
  if (judgeOpen(known, { ...st, headIntact: await headStillMatches(t) }) === "truncated")
    await handleTruncation(set, t, [found]);
}

async function isPrefixOf(copy: Opened, t: Tailer): Promise<boolean> {
  const size = copy.stat.size;
  const original = await statHandle(t.handle as NonNullable<Tailer["handle"]>);
  if (size > original.size) return false;
  const len = Math.min(TAIL_CHECK_BYTES, size);
  const a = await readAt(copy.handle, size - len, len);
  const b = await readAt(t.handle as NonNullable<Tailer["handle"]>, size - len, len);
  return a.equals(b);
}

/**
 * A checkpoint whose file is not where the paths lead (or whose content was replaced): the file was renamed
 * or copied+truncated while we were not looking. Find it beside its old path and read it from the checkpoint.
 */
export async function recoverTail(set: FileSet, cp: Checkpoint, extra: Found[]): Promise<boolean> {
  const head = storedHead(cp.head);
  if (typeof cp.path !== "string" || !head) return false;
  const key = `${String(cp.dev)}:${String(cp.ino)}`;
  for (const candidate of await candidatesNear(set, cp.path, extra)) {
    if (fileKey(candidate.stat) !== key || set.tailers.has(key)) continue;
    const opened = await openFile(candidate.path).catch(() => undefined);
    if (!opened) continue;
    const bytes = await readAt(opened.handle, 0, HEAD_BYTES);
    if (headMatches(bytes, head) && opened.stat.size >= cp.offset) {
      set.log.info(
        { file: cp.path, now: candidate.path, offset: cp.offset },
        "file was rotated while stopped; reading the rest of it",
      );
      await set.adopt(
        { path: cp.path, handle: opened.handle, stat: opened.stat, headBytes: bytes, offset: cp.offset },
        "rename",
      );
      return true;
    }
    await opened.handle.close();
  }
  const copy = await findCopy(set, { head, minSize: cp.offset, exclude: key, near: cp.path, extra });
  if (!copy) return false;
  set.log.info(
    { file: cp.path, copy: copy.path, offset: cp.offset },
    "file was truncated while stopped; reading the rest from its rotated copy",
  );
  await set.adopt(
    { path: copy.path, handle: copy.opened.handle, stat: copy.opened.stat, headBytes: copy.bytes, offset: cp.offset },
    "copy",
  );
  return true;
}
