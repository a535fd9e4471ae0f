// SourceState: what one file source keeps in the checkpoint store besides offsets — that it ran, when its checkpoints
// last changed, and which open files' identities may not be on disk yet.
import type { Checkpoint, CheckpointStore } from "../../core/checkpoint.js";
import type { Clock } from "../../core/clock.js";
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";

/** A checkpoint entry (no path, never pruned) recording that this source has run with this state before. */
const RUN_MARKER = "@ran";
/**
 * File times come from a coarse kernel clock that may trail Date.now() by a tick: a file written just after the
 * last save may carry an mtime a little before it.
 */
const MTIME_SLACK_MS = 20;

export class SourceState<T> {
  /** This source never ran with this state before: start_at applies to files already there. */
  readonly firstRun: boolean;
  /**
   * Wall time of the last change to this source's checkpoints as the last run left them (minus the mtime slack), or
   * undefined (first run, or state from an older version): a file modified after it was written since.
   */
  readonly lastSavedAt: number | undefined;
  private marker: Checkpoint;
  /** Open files whose identity (key and head) may not be on disk yet: saved before any of their lines is emitted. */
  private readonly unsaved = new Set<T>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly name: string,
    clock: Clock,
    private readonly log: Logger,
  ) {
    const marker = store.get(name, RUN_MARKER);
    this.firstRun = marker === undefined;
    this.marker = marker ?? { offset: 0, since: clock.now() };
    this.lastSavedAt = typeof marker?.savedAt === "number" ? marker.savedAt - MTIME_SLACK_MS : undefined;
    this.changed();
  }

  /** Record a file's checkpoint. */
  set(key: string, checkpoint: Checkpoint): void {
    this.store.set(this.name, key, checkpoint);
    this.changed();
  }

  /** Forget a file's checkpoint (it is gone, or its content was replaced). */
  drop(key: string): void {
    this.store.delete(this.name, key);
    this.changed();
  }

  /** A file was opened, or its identity changed (truncated: a new head): it must reach the disk before its lines. */
  identityChanged(file: T): void {
    this.unsaved.add(file);
  }

  /** Whether lines of this file may be emitted now: its identity is durable, so a crash cannot lose the file. */
  identitySaved(file: T): boolean {
    return !this.unsaved.has(file);
  }

  /** The file is closed: nothing of it will be emitted any more. */
  closed(file: T): void {
    this.unsaved.delete(file);
  }

  /**
   * Write the checkpoints now (atomic, fsynced) so every file opened so far is known after a crash: without this a
   * file opened, read and rotated away within the autosave delay would be unknown to the next run, and its unread
   * tail lost. A failed write is logged and the lines go on (the store keeps retrying).
   */
  async saveIdentities(): Promise<void> {
    const saving = [...this.unsaved];
    try {
      await this.store.flush();
    } catch (err) {
      this.log.warn({ err: describeError(err) }, "could not save the identity of a new file before reading it");
    }
    for (const file of saving) this.unsaved.delete(file);
  }

  /**
   * Stamp the run marker with the wall time (file mtimes are wall time, whatever the source's Clock) of this change:
   * once saved, a rotated file unknown to the checkpoints yet modified after that time was never read.
   */
  private changed(): void {
    this.marker = { ...this.marker, savedAt: Date.now() };
    this.store.set(this.name, RUN_MARKER, this.marker);
  }
}
