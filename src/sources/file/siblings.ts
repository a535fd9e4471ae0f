// Siblings: rotated files beside a configured path that the last run never knew — written and rotated while stopped.
import fs from "node:fs";
import path from "node:path";
import { COMPRESSED, type Discovery, type Found } from "./discover.js";
import type { FileSet } from "./files.js";
import { fileKey, HEAD_BYTES, openFile, readAt, statIfExists } from "./fingerprint.js";
import { copyRelation } from "./rotation.js";

/** A number or a date/time in a rotated name: app.log.1, app.log-20261121, app-2026-11-21T10.log. */
const STAMP = /^[-._]\d[\d\-_.T:]*$/;

/**
 * Whether `name` is a rotated form of the file name `base` (both in one directory): base + suffix
 * (app.log.1, app.log-20261121) or stem + stamp + extension (app-20261121.log, app.1.log). Compressed archives
 * (app.log.2.gz) are not: their lines were read before they were compressed, or cannot be read as text.
 */
export function isRotatedName(base: string, name: string): boolean {
  if (name === base || COMPRESSED.test(name)) return false;
  if (name.startsWith(base) && STAMP.test(name.slice(base.length))) return true;
  const ext = path.extname(base);
  const stem = ext ? base.slice(0, -ext.length) : base;
  if (!stem || !name.startsWith(stem) || !name.endsWith(ext)) return false;
  const middle = name.slice(stem.length, name.length - ext.length);
  return middle !== "" && STAMP.test(middle);
}

/**
 * Rotated siblings of the paths read (and of paths known by checkpoint) whose identity no checkpoint holds and
 * that were modified after the checkpoints were last saved: created and rotated away while we were stopped (or
 * after a crash), so none of their lines was delivered. Oldest first.
 */
type Sibling = Found & { live: string };

export async function unknownSiblings(set: FileSet, d: Discovery, savedAt: number): Promise<Sibling[]> {
  const known = new Set(set.options.checkpoints.list(set.name).keys());
  // A configured file may be missing now (rotated away, not created again yet): its siblings count too.
  const near = new Set([...set.options.matcher.literals(), ...d.files.map((f) => f.path)]);
  for (const cp of set.options.checkpoints.list(set.name).values()) if (typeof cp.path === "string") near.add(cp.path);
  const candidates = new Map<string, Sibling>();
  for (const live of near) {
    const dir = path.dirname(live);
    const base = path.basename(live);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      continue; // the directory is gone: nothing to recover there
    }
    for (const name of names) {
      const p = path.join(dir, name);
      if (!isRotatedName(base, name) || candidates.has(p) || set.options.matcher.matches(p)) continue;
      if (!set.options.matcher.admits(p)) continue; // a link planted beside the log (follow_symlinks off)
      const stat = await statIfExists(p).catch(() => undefined);
      if (!stat?.isFile || stat.mtimeMs <= savedAt || stat.size === 0) continue;
      const key = fileKey(stat);
      if (known.has(key) || set.tailers.has(key)) continue;
      candidates.set(p, { path: p, stat, live });
    }
  }
  return [...candidates.values()].sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs);
}

/** Read each unknown sibling from its start, as a file rotated away from the path it was found beside. */
export async function recoverSiblings(set: FileSet, d: Discovery, savedAt: number): Promise<void> {
  for (const sibling of await unknownSiblings(set, d, savedAt)) {
    const opened = await openFile(sibling.path).catch(() => undefined);
    if (!opened) continue;
    let adopted = false;
    try {
      if (set.tailers.has(fileKey(opened.stat))) continue;
      const bytes = await readAt(opened.handle, 0, HEAD_BYTES);
      // A copy of a file being read (copytruncate interrupted before the truncation): its lines come from there.
      if ((await copyRelation(set, sibling, opened, bytes)) !== undefined) continue;
      set.log.info(
        { file: sibling.path, near: sibling.live },
        "a rotated file the last run never saw was modified since; reading it from its start",
      );
      const init = { path: sibling.path, handle: opened.handle, stat: opened.stat, headBytes: bytes, offset: 0 };
      await set.adopt(init, "rename");
      adopted = true;
    } finally {
      if (!adopted) await opened.handle.close().catch(() => {});
    }
  }
}
