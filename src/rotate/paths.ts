// Resolving a rotate job's `path`: ~/ expansion and a small glob (*, ?, [..], **) that never follows links.
import { promises as fsp, type Dirent } from "node:fs";
import path from "node:path";
import { expandHome as expandUserHome } from "../core/paths.js";
import { looksLikeArchive, TEMP_SUFFIX } from "./naming.js";

/** `~/x` → `$HOME/x`; anything else unchanged but made absolute. */
export function expandHome(p: string): string {
  return path.resolve(expandUserHome(p));
}

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** The folder a pattern is rooted in: everything before the first segment with a wildcard. */
export function globBase(pattern: string): string {
  const abs = expandHome(pattern);
  if (!hasGlob(abs)) return path.dirname(abs);
  const segments = abs.split("/");
  const firstGlob = segments.findIndex((s) => hasGlob(s));
  return segments.slice(0, firstGlob).join("/") || "/";
}

/** A regex for one path segment of a glob; `*` and `?` never match a leading dot (like the shell). */
export function segmentRegex(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? "^" + body.slice(1) : body}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  const dotRule = segment.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${dotRule}${re}$`);
}

export interface Expansion {
  /** Files to consider: regular-looking names, not archives or temp files (links are checked later). */
  files: string[];
  /** Folders holding them (and the glob's base), for fs.watch. */
  dirs: string[];
  /** The configured folder: no link may lead out of it. */
  base: string;
}

/** Expand a job's path; a plain path expands to itself (whether or not it exists). */
export async function expandJobPath(pattern: string): Promise<Expansion> {
  const abs = expandHome(pattern);
  const base = globBase(pattern);
  if (!hasGlob(abs)) return { files: [abs], dirs: [base], base };
  const segments = abs.slice(base === "/" ? 1 : base.length + 1).split("/");
  const files: string[] = [];
  const dirs = new Set<string>([base]);
  await walk(base, segments, files, dirs);
  return { files: files.sort(), dirs: [...dirs].sort(), base };
}

async function walk(dir: string, segments: string[], files: string[], dirs: Set<string>): Promise<void> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  const entries = await readDirSafe(dir);
  if (segment === "**") {
    await walk(dir, rest, files, dirs); // zero folders
    for (const e of entries)
      if (e.isDirectory() && !e.name.startsWith(".")) await walk(path.join(dir, e.name), segments, files, dirs);
    return;
  }
  const re = segmentRegex(segment);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const full = path.join(dir, e.name);
    // Dirent types come from lstat: a symlinked folder is not a directory here, so globs never leave the tree.
    if (rest.length > 0) {
      if (e.isDirectory()) await walk(full, rest, files, dirs);
    } else if ((e.isFile() || e.isSymbolicLink()) && !looksLikeArchive(e.name) && !e.name.endsWith(TEMP_SUFFIX)) {
      files.push(full);
      dirs.add(dir);
    }
  }
}

async function readDirSafe(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
