// Discovery: evaluate the configured paths (files, directories, globs) into the regular files they match now.
import fs from "node:fs";
import path from "node:path";
import { describeError } from "../../core/errors.js";
import { type FileStat, statIfExists, statPath } from "./fingerprint.js";
import {
  canDescend,
  compileExclude,
  compileGlob,
  expandPath,
  type Glob,
  globMatches,
  hasWildcard,
  matchParts,
} from "./glob.js";

/** Rotated archives a glob or directory would otherwise pick up; reading them would ship binary noise. */
export const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|zip|z)$/i;
/** Deep enough for any log tree, shallow enough to stop a symlink maze. */
const MAX_DEPTH = 32;

export interface Found {
  path: string;
  stat: FileStat;
}

export interface Discovery {
  files: Found[];
  /** Directories that can hold matches, and the nearest existing parent of a missing one: watched for changes. */
  dirs: Set<string>;
  /** Directories whose content we know now (a checkpoint of a file there that is not found is stale). */
  listed: Set<string>;
  /** Per configured path: undefined when it matched something, else why not ("missing" or an error). */
  status: Map<string, string | undefined>;
  /**
   * Files whose names are not valid UTF-8 (shown with U+FFFD): Node cannot name them to open them, so they are
   * reported rather than skipped without a word.
   */
  undecodable: string[];
}

interface Spec {
  text: string;
  /** A glob (wildcards in the path) or the glob a directory path stands for. */
  glob: Glob;
  /** The path itself when it has no wildcard (a file, or a directory decided at stat time). */
  literal: string | undefined;
}

export class PathMatcher {
  private readonly specs: Spec[];
  private readonly excludes: ((p: string) => boolean)[];

  constructor(
    paths: string[],
    exclude: string[],
    recursive: boolean,
    /** Follow links met by a glob or a walk; a configured path that is a link is followed either way. */
    private readonly followSymlinks = true,
  ) {
    this.specs = paths.map((text) => {
      const absolute = expandPath(text);
      if (hasWildcard(absolute)) return { text, glob: compileGlob(absolute), literal: undefined };
      const dirGlob = compileGlob(path.join(absolute, recursive ? "**/*" : "*"));
      return { text, glob: dirGlob, literal: absolute };
    });
    this.excludes = exclude.map(compileExclude);
  }

  /** Whether a path is one the configuration asks for (used for watch events). */
  matches(absolute: string): boolean {
    if (this.excluded(absolute)) return false;
    return this.specs.some(
      (s) => s.literal === absolute || (globMatches(s.glob, absolute) && !COMPRESSED.test(absolute)),
    );
  }

  /**
   * Whether a path a watch event named may be read: with follow_symlinks off, not a link (unless it is a configured
   * path itself). Called only for paths that match.
   */
  admits(absolute: string): boolean {
    if (this.followSymlinks || this.specs.some((s) => s.literal === absolute)) return true;
    try {
      return !fs.lstatSync(absolute).isSymbolicLink();
    } catch {
      return false;
    }
  }

  /** The configured paths without wildcards (files, or directories), absolute. */
  literals(): string[] {
    return this.specs.flatMap((s) => (s.literal === undefined ? [] : [s.literal]));
  }

  /** The configured paths (as written) that a path matches. */
  specsMatching(absolute: string): string[] {
    return this.specs.filter((s) => s.literal === absolute || globMatches(s.glob, absolute)).map((s) => s.text);
  }

  /** Whether a path could be a directory on the way to matches (a new directory means: rescan). */
  mayContain(absolute: string): boolean {
    return this.specs.some((s) => {
      // on the way to a missing base
      if (s.glob.base === absolute || s.glob.base.startsWith(absolute + "/")) return true;
      const rel = path.relative(s.glob.base, absolute);
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return false;
      return canDescend(s.glob.segments, rel.split("/"));
    });
  }

  async discover(): Promise<Discovery> {
    const out: Discovery = { files: [], dirs: new Set(), listed: new Set(), status: new Map(), undecodable: [] };
    const seen = new Set<string>();
    for (const spec of this.specs) {
      const before = out.files.length;
      const problem =
        spec.literal === undefined ? await this.walk(spec.glob, out, seen) : await this.literal(spec, out, seen);
      out.status.set(
        spec.text,
        problem ?? (out.files.length > before || this.alreadyFound(spec, seen) ? undefined : "missing"),
      );
    }
    return out;
  }

  private alreadyFound(spec: Spec, seen: Set<string>): boolean {
    return [...seen].some((p) => p === spec.literal || globMatches(spec.glob, p));
  }

  /** A path without wildcards: the file itself, or the directory's files. */
  private async literal(spec: Spec, out: Discovery, seen: Set<string>): Promise<string | undefined> {
    const file = spec.literal as string;
    let st: FileStat | undefined;
    try {
      st = await statIfExists(file);
    } catch (err) {
      return describeError(err);
    }
    const parent = path.dirname(file);
    if (!st) {
      const near = await nearestDirectory(file);
      if (near) out.dirs.add(near);
      if (near === parent) out.listed.add(parent);
      return "missing";
    }
    if (st.isDirectory) return this.walk(spec.glob, out, seen);
    if (!st.isFile) return "not a regular file";
    out.dirs.add(parent);
    out.listed.add(parent);
    if (!seen.has(file)) {
      seen.add(file);
      out.files.push({ path: file, stat: st });
    }
    return undefined;
  }

  /** Walk from the glob's base into directories that can hold matches; a missing base is "missing". */
  private async walk(glob: Glob, out: Discovery, seen: Set<string>): Promise<string | undefined> {
    const queue: { dir: string; parts: string[] }[] = [{ dir: glob.base, parts: [] }];
    const visited = new Set<string>();
    let problem: string | undefined;
    while (queue.length > 0) {
      const { dir, parts } = queue.shift() as { dir: string; parts: string[] };
      let entries: fs.Dirent[];
      try {
        const st = await statPath(dir);
        if (visited.has(`${st.dev}:${st.ino}`)) continue; // a symlink loop
        visited.add(`${st.dev}:${st.ino}`);
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (parts.length > 0) continue;
        problem = code === "ENOENT" || code === "ENOTDIR" ? "missing" : describeError(err);
        const near = problem === "missing" ? await nearestDirectory(dir) : undefined;
        if (near) out.dirs.add(near); // its appearance is then an event, not only something the next rescan finds
        continue;
      }
      out.dirs.add(dir);
      out.listed.add(dir);
      for (const entry of entries) {
        await this.visit(glob, out, seen, queue, { dir, parts, entry });
      }
    }
    return problem;
  }

  private async visit(
    glob: Glob,
    out: Discovery,
    seen: Set<string>,
    queue: { dir: string; parts: string[] }[],
    at: { dir: string; parts: string[]; entry: fs.Dirent },
  ): Promise<void> {
    const full = path.join(at.dir, at.entry.name);
    const parts = [...at.parts, at.entry.name];
    let isDir = at.entry.isDirectory();
    let isFile = at.entry.isFile();
    if (at.entry.isSymbolicLink()) {
      if (!this.followSymlinks) return;
      const st = await statIfExists(full).catch(() => undefined);
      isDir = st?.isDirectory ?? false;
      isFile = st?.isFile ?? false;
    }
    if (isDir && parts.length < MAX_DEPTH && canDescend(glob.segments, parts)) queue.push({ dir: full, parts });
    if (!isFile || seen.has(full) || !matchParts(glob.segments, parts) || COMPRESSED.test(full) || this.excluded(full))
      return;
    const st = await statIfExists(full).catch(() => undefined);
    if (!st?.isFile) {
      if (at.entry.name.includes("\uFFFD")) out.undecodable.push(full);
      return;
    }
    seen.add(full);
    out.files.push({ path: full, stat: st });
  }

  private excluded(absolute: string): boolean {
    return this.excludes.some((test) => test(absolute));
  }
}

/** The nearest existing directory above a missing path. */
async function nearestDirectory(missing: string): Promise<string | undefined> {
  for (let dir = path.dirname(missing); ; dir = path.dirname(dir)) {
    if (await isDirectory(dir)) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  const st = await statIfExists(dir).catch(() => undefined);
  return st?.isDirectory ?? false;
}
