// FileSet: every file the source knows — open tailers, and closed files known only by their checkpoints.
import path from "node:path";
import type { Checkpoint, CheckpointStore } from "../../core/checkpoint.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Discovery, Found, PathMatcher } from "./discover.js";
import { type FileStat, fileKey, openFile, statGrowth, statIfExists } from "./fingerprint.js";
import type { RawLine } from "./lines.js";
import type { FileMetrics } from "./metrics.js";
import { Placement, type Phase } from "./place.js";
import { checkTailer, handleTruncation, recoverTail } from "./rotation.js";
import { recoverSiblings } from "./siblings.js";
import { SourceState } from "./state.js";
import { PathStatus } from "./status.js";
import type { FileSourceConfig } from "./schema.js";
import { type LineOptions, Tailer, type TailerInit } from "./tailer.js";

/** A file that has not grown for this long, in a watched directory, counts as idle for the periodic sweep. */
const IDLE_AFTER_MS = 5_000;
/** How often the periodic sweep still stats an idle file (in case a change raised no inotify event). */
const IDLE_SWEEP_MS = 10_000;

export interface FileSetOptions {
  name: string;
  config: FileSourceConfig;
  matcher: PathMatcher;
  lineOptions: LineOptions;
  clock: Clock;
  logger: Logger;
  metrics: FileMetrics;
  checkpoints: CheckpointStore;
}

/** What the reading loop provides: emission (with backpressure) and scheduling. */
export interface FileSetHooks {
  emit(t: Tailer, lines: RawLine[]): Promise<void>;
  markDirty(t: Tailer): void;
  closed(t: Tailer): void;
  requestRescan(): void;
}

export type Opened = Awaited<ReturnType<typeof openFile>>;

export class FileSet {
  /** Open files by key (dev:ino). */
  readonly tailers = new Map<string, Tailer>();
  /** The open file that is at each path now (not the rotated-away ones). */
  readonly byPath = new Map<string, Tailer>();
  /** follow: newest — the key of the file being followed. */
  newestKey: string | undefined;
  readonly status: PathStatus;
  private readonly placement = new Placement(this);
  /** Released files whose last batches are not acknowledged yet: their checkpoints must stay. */
  private readonly unacked = new Set<string>();
  lastDiscovery: Discovery | undefined;
  /** What this source keeps in the checkpoint store besides offsets (read at startup). */
  state!: SourceState<Tailer>;

  constructor(
    readonly options: FileSetOptions,
    readonly hooks: FileSetHooks,
  ) {
    this.status = new PathStatus(options.logger);
  }

  get name(): string {
    return this.options.name;
  }

  get log(): Logger {
    return this.options.logger;
  }

  /** Evaluate the paths and settle every file found: resume, recover rotated tails, or start. */
  async startup(): Promise<void> {
    const { checkpoints, clock } = this.options;
    this.state = new SourceState(checkpoints, this.name, clock, this.log);
    const d = await this.discover();
    const known: { found: Found; cp: Checkpoint }[] = [];
    const unknown: Found[] = [];
    for (const found of d.files) {
      const cp = this.options.checkpoints.get(this.name, fileKey(found.stat));
      if (cp) known.push({ found, cp });
      else unknown.push(found);
    }
    for (const { found } of known) await this.place(found, "startup");
    // Checkpoints whose file is not where the paths lead: renamed or copied away while we were stopped.
    const seen = new Set(d.files.map((f) => fileKey(f.stat)));
    for (const [key, cp] of this.options.checkpoints.list(this.name)) {
      if (seen.has(key) || this.tailers.has(key)) continue;
      const recovered = await recoverTail(this, cp, unknown);
      if (!recovered && typeof cp.path === "string" && d.listed.has(path.dirname(cp.path))) this.state.drop(key);
    }
    for (const found of unknown) await this.place(found, "startup");
    // Files rotated away before this source saw them (no checkpoint) but written since it last saved: their
    // lines were never delivered. Without a save time (first run, or state from an older version), none is.
    if (this.state.lastSavedAt !== undefined) await recoverSiblings(this, d, this.state.lastSavedAt);
  }

  /** Evaluate the paths again: new files, files that came back, stale checkpoints. */
  async rescan(): Promise<void> {
    const d = await this.discover();
    for (const found of d.files) await this.place(found, "later");
    const seen = new Set(d.files.map((f) => fileKey(f.stat)));
    for (const [key, cp] of this.options.checkpoints.list(this.name)) {
      if (seen.has(key) || this.tailers.has(key) || this.unacked.has(key) || typeof cp.path !== "string") continue;
      if (d.listed.has(path.dirname(cp.path))) this.state.drop(key);
    }
    this.placement.forgetBaselines(seen);
  }

  /**
   * A watch event named this path. Unless the event may have been a rename (`renamed` false: the file at the path was
   * written to or its attributes changed), the path still leads to the file open there: no need to stat it again.
   */
  async checkPath(p: string, renamed = true): Promise<void> {
    const atPath = this.byPath.get(p);
    if (atPath) return checkTailer(this, atPath, renamed);
    let st: FileStat | undefined;
    try {
      st = await statIfExists(p);
    } catch {
      return;
    }
    if (!st) return;
    const open = this.tailers.get(fileKey(st));
    if (open) return checkTailer(this, open); // a rotated-away file we still read
    if (st.isFile && this.options.matcher.matches(p) && this.options.matcher.admits(p)) {
      const found = { path: p, stat: st };
      this.considerNewest([found]);
      await this.place(found, "later");
      for (const spec of this.options.matcher.specsMatching(p)) this.status.appeared(spec);
      return;
    }
    if (st.isDirectory && this.options.matcher.mayContain(p)) this.hooks.requestRescan();
  }

  /**
   * Stat open files. A periodic sweep (not `all`) is the safety net under inotify, so it skips a file that has
   * been quiet for IDLE_AFTER_MS in a watched directory unless IDLE_SWEEP_MS passed since it was last looked at:
   * 1,000 idle files then cost a few stats a second instead of 2,000.
   */
  async sweep(all: boolean, watched: (dir: string) => boolean): Promise<void> {
    const now = this.options.clock.now();
    for (const t of [...this.tailers.values()]) {
      const quiet =
        now - t.lastActivityAt >= IDLE_AFTER_MS && t.detached === undefined && watched(path.dirname(t.path));
      if (!all && quiet && now - t.lastSweptAt < IDLE_SWEEP_MS) continue;
      t.swept();
      await checkTailer(this, t);
    }
  }

  /** Decide what a file found at a path is: already open, known and unchanged, resumed, a copy, or new. */
  place(found: Found, phase: Phase): Promise<void> {
    return this.placement.place(found, phase);
  }

  /** Make an open file a tailer, record its starting checkpoint and schedule a read. */
  async adopt(init: TailerInit, detached?: "copy" | "rename"): Promise<Tailer> {
    const t: Tailer = new Tailer(
      { ...init, detached },
      this.name,
      this.options.lineOptions,
      this.options.clock,
      (offset) => this.commit(t, offset),
    );
    this.tailers.set(t.key, t);
    if (!detached) this.byPath.set(t.path, t);
    this.state.set(t.key, t.checkpoint(t.acks.committed));
    this.state.identityChanged(t);
    this.options.metrics.openFiles(this.tailers.size);
    this.options.metrics.setLag(t.path, t.size - t.acks.committed);
    this.log.debug({ file: t.path, offset: t.readPos, detached }, "reading file");
    this.hooks.markDirty(t);
    return t;
  }

  /** Its read found other first bytes than it was identified by: truncated and written again, handled as such. */
  async rewritten(t: Tailer): Promise<void> {
    // Its size now, as a sweep would have seen it first: the old, larger one would make the next look judge the
    // file truncated again and read the new lines twice.
    if (t.handle) t.observe(statGrowth(t.handle.fd));
    await handleTruncation(this, t, []);
  }

  commit(t: Tailer, offset: number): void {
    const current = this.tailers.get(t.key);
    if (current && current !== t) return; // a released file whose inode a new file reuses: that one owns the key now
    this.state.set(t.key, t.checkpoint(offset));
    this.options.metrics.setLag(t.path, t.size - offset);
  }

  /** Let a file go: emit what it held back, close it, and forget its checkpoint once it is gone for good. */
  async release(t: Tailer): Promise<void> {
    if (t.holding) await this.hooks.emit(t, t.flushAll());
    await t.close();
    this.tailers.delete(t.key);
    this.state.closed(t);
    if (this.byPath.get(t.path) === t) this.byPath.delete(t.path);
    this.hooks.closed(t);
    this.options.metrics.openFiles(this.tailers.size);
    this.log.info(
      { file: t.path, offset: t.readPos, reason: t.detached ?? "not the newest" },
      "finished reading file; closed it",
    );
    const gone = t.nlink === 0 || (t.detached === "copy" && !this.options.matcher.matches(t.path));
    // Its checkpoint is kept until its last batches are delivered: a crash before then must find it again.
    this.unacked.add(t.key);
    void t.acks.whenIdle().then(() => {
      this.unacked.delete(t.key);
      if (gone && !this.tailers.has(t.key)) this.state.drop(t.key);
    });
  }

  /** follow: newest — whether this file is the one followed (always true for follow: all). */
  wanted(key: string): boolean {
    return this.options.config.follow === "all" || key === this.newestKey;
  }

  /** Whether an open file should be let go once it is quiet: rotated away, or no longer the newest. */
  retiring(t: Tailer): boolean {
    return t.detached !== undefined || !this.wanted(t.key);
  }

  /** follow: newest — switch to a newer file among these (a rotated-away file never counts as newest). */
  considerNewest(found: Found[]): void {
    if (this.options.config.follow !== "newest") return;
    const current = this.newestKey ? this.tailers.get(this.newestKey) : undefined;
    let best =
      current && !current.detached ? { key: current.key, mtimeMs: current.mtimeMs, path: current.path } : undefined;
    for (const f of found) {
      const key = fileKey(f.stat);
      if (this.tailers.get(key)?.detached) continue;
      if (
        !best ||
        f.stat.mtimeMs > best.mtimeMs ||
        (f.stat.mtimeMs === best.mtimeMs && key !== best.key && f.path > best.path)
      ) {
        best = { key, mtimeMs: f.stat.mtimeMs, path: f.path };
      }
    }
    if (best && best.key !== this.newestKey) {
      if (this.newestKey) this.log.info({ file: best.path }, "following a newer file");
      this.newestKey = best.key;
    }
  }

  /** Close every file; their checkpoints keep the delivered offset with the latest (longest) head. */
  async closeAll(): Promise<void> {
    for (const t of this.tailers.values()) {
      this.commit(t, t.acks.committed);
      await t.close();
    }
    this.tailers.clear();
    this.byPath.clear();
    this.options.metrics.openFiles(0);
  }

  private async discover(): Promise<Discovery> {
    const d = await this.options.matcher.discover();
    this.lastDiscovery = d;
    this.status.report(d);
    this.considerNewest(d.files);
    return d;
  }
}
