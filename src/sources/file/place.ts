// Placement: what a file found at a path is (judgeFound), and where reading it starts — resumed, recovered, new.
import type { Checkpoint } from "../../core/checkpoint.js";
import type { Found } from "./discover.js";
import type { FileSet, Opened } from "./files.js";
import {
  fileKey,
  HEAD_BYTES,
  headOf,
  lineStartBefore,
  openFile,
  readAt,
  startOfLastLines,
  storedHead,
} from "./fingerprint.js";
import { copyRelation, recoverTail } from "./rotation.js";
import { judgeFound } from "./verdict.js";

/** At startup (start_at applies to files already there) or later (a file that appeared is read from its start). */
export type Phase = "startup" | "later";

export class Placement {
  /** follow: newest — where a file seen but not yet followed would start (its end at startup, else 0). */
  private readonly baselines = new Map<string, number>();

  constructor(private readonly set: FileSet) {}

  /** Forget where files no longer found would have started. */
  forgetBaselines(seen: Set<string>): void {
    for (const key of this.baselines.keys()) if (!seen.has(key)) this.baselines.delete(key);
  }

  /** Decide what a file found at a path is: already open, known and unchanged, resumed, a copy, or new. */
  async place(found: Found, phase: Phase): Promise<void> {
    const key = fileKey(found.stat);
    if (this.set.tailers.has(key)) return;
    const cp = this.set.options.checkpoints.get(this.set.name, key);
    if (cp && phase === "later" && cp.offset === found.stat.size) return; // known, nothing new: no need to open it
    if (!cp && !this.set.wanted(key) && phase === "later" && this.baselines.has(key)) return;
    let opened: Opened;
    try {
      opened = await openFile(found.path);
    } catch (err) {
      this.set.status.cannotOpen(found.path, err);
      return;
    }
    this.set.status.canOpen(found.path);
    let adopted = false;
    try {
      adopted = await this.decide(found.path, opened, phase);
    } finally {
      if (!adopted) await opened.handle.close().catch(() => {});
    }
  }

  /** Returns true when the handle now belongs to a tailer. */
  private async decide(filePath: string, opened: Opened, phase: Phase): Promise<boolean> {
    const key = fileKey(opened.stat);
    if (this.set.tailers.has(key)) return false;
    const bytes = await readAt(opened.handle, 0, HEAD_BYTES);
    const cp = this.set.options.checkpoints.get(this.set.name, key);
    const stored = cp && { offset: cp.offset, head: storedHead(cp.head), copy: cp.copy === true };
    const verdict = judgeFound(stored, opened.stat.size, bytes);
    switch (verdict) {
      case "copy-grew":
        return this.copyGrew(filePath, opened, bytes, cp as Checkpoint);
      case "grown":
      case "unchanged":
      case "copied": {
        const offset = (cp as Checkpoint).offset;
        if (!(this.set.wanted(key) || (phase === "startup" && offset < opened.stat.size))) return false;
        await this.set.adopt({ path: filePath, handle: opened.handle, stat: opened.stat, headBytes: bytes, offset });
        return true;
      }
      case "replaced":
        this.set.log.info(
          { file: filePath, offset: cp?.offset },
          "file content replaced since its checkpoint (inode reused or truncated); reading it from the start",
        );
        this.set.state.drop(key);
        await recoverTail(this.set, cp as Checkpoint, []);
        return this.startNew(filePath, opened, bytes, 0);
      default:
        return this.decideNew(filePath, opened, bytes, phase);
    }
  }

  /**
   * Copies do not grow: this file only began like one we read (a shared header, say). Read it from where it would
   * have been read had it not looked like a copy: its start, or its end then for start_at: end.
   */
  private copyGrew(filePath: string, opened: Opened, bytes: Buffer, cp: Checkpoint): Promise<boolean> {
    const from = typeof cp.startAt === "number" ? Math.min(cp.startAt, opened.stat.size) : 0;
    this.set.log.info(
      { file: filePath, offset: from },
      from === 0
        ? "a file taken for a copy has grown; reading it from the start"
        : "a file taken for a copy has grown; reading its new lines",
    );
    this.set.state.drop(fileKey(opened.stat));
    return this.startNew(filePath, opened, bytes, from);
  }

  /** A file without a checkpoint: a copy of one being read (copytruncate's first step), or new. */
  private async decideNew(filePath: string, opened: Opened, bytes: Buffer, phase: Phase): Promise<boolean> {
    const key = fileKey(opened.stat);
    const relation = await copyRelation(this.set, { path: filePath, stat: opened.stat }, opened, bytes);
    if (relation === "copy") {
      const { dev, ino, size } = opened.stat;
      const startAt = this.startOffset(key, size, phase);
      const head = headOf(bytes);
      this.set.state.set(key, { offset: size, path: filePath, dev, ino, head, copy: true, startAt });
      this.set.log.debug({ file: filePath }, "found a copy of a file being read; not reading it twice");
      return false;
    }
    if (relation === "adopted" || this.set.tailers.has(key)) return false;
    let offset = this.startOffset(key, opened.stat.size, phase);
    // start_lines (view -n): a file opened at its end shows its last lines first, like tail.
    const lines = this.set.options.config.start_lines;
    if (lines > 0 && offset === opened.stat.size && !this.baselines.has(key)) {
      const maxBytes = this.set.options.lineOptions.maxLineBytes * lines;
      offset = await startOfLastLines(opened.handle, offset, lines, maxBytes);
    }
    return this.startNew(filePath, opened, bytes, offset);
  }

  /** Where a file we have no checkpoint for is read from: its start, or its end at startup with start_at: end. */
  private startOffset(key: string, size: number, phase: Phase): number {
    const atEnd =
      phase === "startup" &&
      this.set.options.config.start_at === "end" &&
      (this.set.state.firstRun || !this.set.wanted(key));
    return this.baselines.get(key) ?? (atEnd ? size : 0);
  }

  /** Start reading a file we have no checkpoint for, at offset (moved back to the start of an unfinished line). */
  private async startNew(filePath: string, opened: Opened, bytes: Buffer, offset: number): Promise<boolean> {
    const key = fileKey(opened.stat);
    if (!this.set.wanted(key)) {
      this.baselines.set(key, offset);
      return false;
    }
    this.baselines.delete(key);
    const start = await lineStartBefore(opened.handle, offset, this.set.options.lineOptions.maxLineBytes);
    await this.set.adopt({ path: filePath, handle: opened.handle, stat: opened.stat, headBytes: bytes, offset: start });
    return true;
  }
}
