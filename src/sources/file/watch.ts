// DirWatchers: one fs.watch per directory (never per file) for latency; sweeps still cover what it misses.
import fs from "node:fs";
import path from "node:path";
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";

/**
 * An event in a watched directory: the entry's name (undefined: look at the whole directory), and whether it may
 * have been created, deleted or renamed (inotify's create/delete/move; false for a mere write or attribute change).
 */
export type DirEvent = (dir: string, name: string | undefined, renamed: boolean) => void;

export class DirWatchers {
  /** Each watched directory with the inode it had: a directory deleted and made again needs a new watch. */
  private readonly watchers = new Map<string, { watcher: fs.FSWatcher; ino: number }>();
  /** Once watching failed for a resource reason (inotify limits), stop trying: the sweeps carry on alone. */
  private disabled = false;
  private readonly warned = new Set<string>();

  constructor(
    private readonly onEvent: DirEvent,
    private readonly logger: Logger,
  ) {}

  get count(): number {
    return this.watchers.size;
  }

  /** True when changes in dir raise events now (a watch is open on it). */
  watching(dir: string): boolean {
    return this.watchers.has(dir);
  }

  /**
   * Watch exactly these directories. Returns how many watches are new: what happened in those directories
   * between the listing that found them and now raised no event, so the caller looks at them once more.
   */
  sync(dirs: Set<string>): number {
    for (const [dir, entry] of this.watchers) {
      if (!dirs.has(dir) || inode(dir) !== entry.ino) {
        entry.watcher.close();
        this.watchers.delete(dir);
      }
    }
    let added = 0;
    for (const dir of dirs) {
      if (this.disabled) break;
      if (!this.watchers.has(dir) && this.add(dir)) added++;
    }
    return added;
  }

  closeAll(): void {
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private add(dir: string): boolean {
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: false }, (type, name) =>
        this.onEvent(dir, name ? String(name) : undefined, type !== "change"),
      );
    } catch (err) {
      this.failed(dir, err);
      return false;
    }
    watcher.on("error", (err) => {
      // The directory went away or the watch broke: drop it; the next rescan watches it again if it is back.
      watcher.close();
      if (this.watchers.get(dir)?.watcher === watcher) this.watchers.delete(dir);
      this.logger.debug({ dir, err: describeError(err) }, "directory watch ended");
      this.onEvent(dir, undefined, true);
    });
    this.watchers.set(dir, { watcher, ino: inode(dir) });
    return true;
  }

  private failed(dir: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return; // gone meanwhile; the rescan handles it
    if (code === "ENOSPC" || code === "EMFILE" || code === "ENFILE") {
      this.disabled = true;
      this.logger.warn(
        { dir, err: describeError(err) },
        "cannot watch directories (inotify limit reached?); relying on periodic checks (up to 1 s latency)",
      );
      return;
    }
    if (this.warned.has(dir)) return;
    this.warned.add(dir);
    this.logger.warn({ dir, err: describeError(err) }, "cannot watch directory; relying on periodic checks");
  }
}

function inode(dir: string): number {
  try {
    return fs.statSync(dir).ino;
  } catch {
    return -1;
  }
}

/** path.join(dir, name) for a watched directory (already normalised) and an entry name, without re-normalising. */
export function joinName(dir: string, name: string): string {
  if (name === "." || name === ".." || name.includes(path.sep)) return path.join(dir, name);
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}
