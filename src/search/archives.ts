// The files a search reads for one path: its rotated archives (plain or compressed), oldest first, then the file.
import fs from "node:fs";
import path from "node:path";
import { COMPRESSED } from "../sources/file/discover.js";
import { isRotatedName } from "../sources/file/siblings.js";

export interface SearchFile {
  path: string;
  /** The compression its name says (`gz`, `zst`...), undefined for plain text. */
  compression: string | undefined;
  mtimeMs: number;
}

/** How an archive's name says where it stands: a rotation count (.1 newest) or a date stamp. */
interface Rank {
  family: "numbered" | "dated";
  /** numbered: the count; dated: the stamp's digits. */
  key: string;
}

/**
 * The archives of `file` (the names the file source's sibling logic calls rotated, compressed or not) in the
 * order they were written, then the file itself when it exists. A missing file with no archive gives []. An archive
 * that is a symbolic link is left out unless `followLinks` (the file itself, named by the user, is always read).
 */
export async function filesToSearch(file: string, options: { followLinks?: boolean } = {}): Promise<SearchFile[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    names = [];
  }
  const archives: (SearchFile & { rank: Rank })[] = [];
  for (const name of names) {
    const compression = COMPRESSED.exec(name)?.[1]?.toLowerCase();
    const plain = compression ? name.slice(0, -compression.length - 1) : name;
    if (plain === base ? !compression : !isRotatedName(base, plain)) continue;
    const full = path.join(dir, name);
    // A link planted beside a log must not make a daemon read (and serve) a file elsewhere: only when allowed.
    const link = await fs.promises.lstat(full).catch(() => undefined);
    if (!link || (link.isSymbolicLink() && !options.followLinks)) continue;
    const stat = link.isSymbolicLink() ? await fs.promises.stat(full).catch(() => undefined) : link;
    if (!stat?.isFile()) continue;
    archives.push({ path: full, compression, mtimeMs: stat.mtimeMs, rank: rankOf(base, plain) });
  }
  const live = await fs.promises.stat(file).catch(() => undefined);
  const ordered = orderArchives(archives).map(({ path: p, compression, mtimeMs }) => ({
    path: p,
    compression,
    mtimeMs,
  }));
  if (live?.isFile()) ordered.push({ path: file, compression: undefined, mtimeMs: live.mtimeMs });
  return ordered;
}

/**
 * Oldest first. Within a family the name decides (app.log.3 before app.log.1; app.log-20261130 before
 * app.log-20261201): compressing an archive later (delaycompress) gives it a newer mtime than its name says.
 * Between families (a switch from numbered to dated names) the two ordered lists are merged by mtime.
 */
export function orderArchives<T extends { path: string; mtimeMs: number; rank: Rank }>(files: T[]): T[] {
  const numbered = files.filter((f) => f.rank.family === "numbered").sort((a, b) => compareKeys(b.rank, a.rank));
  const dated = files.filter((f) => f.rank.family === "dated").sort((a, b) => compareKeys(a.rank, b.rank));
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < numbered.length || j < dated.length) {
    const n = numbered[i];
    const d = dated[j];
    const takeNumbered = n !== undefined && (d === undefined || n.mtimeMs <= d.mtimeMs);
    merged.push((takeNumbered ? n : d) as T);
    if (takeNumbered) i++;
    else j++;
  }
  return merged;
}

/** A short count (.1, -12) is a rotation number; anything longer (dates, epoch seconds) a stamp. */
export function rankOf(base: string, plain: string): Rank {
  const ext = path.extname(base);
  const stamp = plain.startsWith(base) ? plain.slice(base.length) : plain.slice(base.length - ext.length);
  const digits = stamp.replace(/\D/g, "");
  if (/^[-._]\d{1,4}(?:\D|$)/.test(stamp) && digits.length <= 4) return { family: "numbered", key: digits };
  return { family: "dated", key: digits };
}

/** Digit strings compared as numbers (a shorter one is smaller), then by text. */
function compareKeys(a: Rank, b: Rank): number {
  const x = a.key.replace(/^0+(?=\d)/, "");
  const y = b.key.replace(/^0+(?=\d)/, "");
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
