// Rotation state per file (when its current content started), one small JSON file each in state_dir/rotate.
import { makeDirs } from "../core/mkdirs.js";
import { createHash } from "node:crypto";
import { promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import { writeFileDurable } from "./fsutil.js";

export interface FileState {
  path: string;
  /** Since when the file's current content accumulates (ms since the epoch). */
  since: number;
  /** Identity of the file that `since` belongs to: a replaced file starts afresh. */
  dev: number;
  ino: number;
}

/**
 * One file per log file (not one shared file) so a daemon and a `logward rotate` run that hold the
 * locks of different files never overwrite each other's entries.
 */
export class RotateState {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, "rotate");
  }

  private fileFor(logPath: string): string {
    return path.join(this.dir, `${createHash("sha256").update(logPath).digest("hex").slice(0, 24)}.json`);
  }

  async get(logPath: string): Promise<FileState | undefined> {
    try {
      const parsed = JSON.parse(await fsp.readFile(this.fileFor(logPath), "utf8")) as FileState;
      return parsed.path === logPath && typeof parsed.since === "number" ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async set(state: FileState): Promise<void> {
    await makeDirs(this.dir);
    await writeFileDurable(this.fileFor(state.path), JSON.stringify(state) + "\n");
  }

  /**
   * Since when the content of the file at logPath (with stats st) accumulates: the recorded rotation
   * when it is the same file, else its birth time, else `now` (first seen; filesystems without btime).
   */
  async contentSince(logPath: string, st: Stats, now: number): Promise<{ since: number; known: boolean }> {
    const saved = await this.get(logPath);
    if (saved && saved.dev === st.dev && saved.ino === st.ino) return { since: saved.since, known: true };
    const birth = st.birthtimeMs > 0 ? st.birthtimeMs : now;
    return { since: Math.min(birth, now), known: false };
  }
}
