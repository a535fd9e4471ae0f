// Tailer: one open file — its descriptor, identity, read position, line assembly and acknowledgement tracking.
import type { FileHandle } from "node:fs/promises";
import type { Checkpoint } from "../../core/checkpoint.js";
import type { Clock, Timer } from "../../core/clock.js";
import type { Pattern } from "../../core/pattern.js";
import { NO_FIELDS, type LogRecord } from "../../core/record.js";
import { AckTracker, type CommitListener } from "./acks.js";
import {
  type FileStat,
  type GrowthStat,
  type Head,
  fileKey,
  HEAD_BYTES,
  headOf,
  headStillAt,
  readAt,
} from "./fingerprint.js";
import { LineSplitter, type RawLine } from "./lines.js";
import { Multiline } from "./multiline.js";
import type { LineJoiner } from "../../core/component.js";
import type { Needle } from "./needle.js";
import { CHUNK_BYTES, ChunkReader, RECORD_CHUNK_BYTES } from "./reader.js";
import type { Known } from "./verdict.js";

export interface LineOptions {
  maxLineBytes: number;
  multiline: { start: Pattern; timeoutMs: number } | undefined;
  /** The parser's joiner of lines its format's writer split (docker, cri), used when there is no multiline. */
  join?: () => LineJoiner;
}

/**
 * What read() answers when the file no longer begins with the bytes it was identified by: it was truncated and
 * written again since (before this read reached it), so the bytes read are another content's and were dropped.
 */
export const REWRITTEN = Symbol("rewritten");

/** How the file stopped being the one at its path, when it did. */
export type Detachment = "rename" | "delete" | "copy";

export interface TailerInit {
  path: string;
  handle: FileHandle;
  stat: FileStat;
  /** The file's first bytes (up to HEAD_BYTES), read when it was opened: its identity. */
  headBytes: Buffer;
  /** Where reading starts (a line start). */
  offset: number;
  /** Offset everything before which is delivered (normally = offset; lower when in-flight batches are inherited). */
  acks?: AckTracker;
  /** Opened already rotated away (a tail recovered at startup, a copy drained after a copytruncate). */
  detached?: Detachment;
}

export class Tailer {
  readonly key: string;
  readonly dev: string;
  readonly ino: string;
  /** The path it was opened at (a rotated file keeps the path it had: its records name the log they came from). */
  readonly path: string;
  private fileHandle: FileHandle | undefined;
  private currentHead: Head;
  /** The bytes the head covers, kept so it can grow as a short file grows (HEAD_BYTES at most). */
  private headBytes: Buffer;
  private position: number;
  /** What the last fstat said (the size also grows with what is read). */
  private statSize: number;
  private statMtimeMs: number;
  private statNlink: number;
  /** When the file last grew or was read (clock ms): a retiring file is let go after rotate_wait of quiet. */
  private activityAt: number;
  /** When the periodic sweep last stat'ed it (clock ms). */
  private sweptAt = 0;
  /** Set once the path no longer leads to this file, or when this is a rotated copy drained for its tail. */
  private detachment: Detachment | undefined;
  private tracker: AckTracker;
  private multilineTimer: Timer | undefined;
  private readonly reader = new ChunkReader();
  private readonly splitter: LineSplitter;
  /** The buffer of the read whose lines are being taken. */
  private loadedBuf: Buffer | undefined;
  /** Lines of that read already counted by countLines(). */
  private counted = 0;
  private readonly multiline: LineJoiner | undefined;

  constructor(
    init: TailerInit,
    private readonly source: string,
    private readonly options: LineOptions,
    private readonly clock: Clock,
    onCommit: CommitListener,
  ) {
    this.key = fileKey(init.stat);
    this.dev = init.stat.dev;
    this.ino = init.stat.ino;
    this.path = init.path;
    this.fileHandle = init.handle;
    this.headBytes = init.headBytes.subarray(0, HEAD_BYTES);
    this.currentHead = headOf(this.headBytes);
    this.position = init.offset;
    this.statSize = init.stat.size;
    this.statMtimeMs = init.stat.mtimeMs;
    this.statNlink = init.stat.nlink;
    this.activityAt = clock.now();
    this.detachment = init.detached;
    this.splitter = new LineSplitter(options.maxLineBytes, init.offset);
    this.multiline = options.multiline
      ? new Multiline(options.multiline.start, options.maxLineBytes)
      : options.join?.();
    this.tracker = init.acks ?? new AckTracker(init.offset, onCommit);
    if (init.acks) init.acks.retarget(onCommit);
  }

  get handle(): FileHandle | undefined {
    return this.fileHandle;
  }

  /** The checksum of its first bytes: its identity beside dev and inode. */
  get head(): Head {
    return this.currentHead;
  }

  /** Where the next read starts. */
  get readPos(): number {
    return this.position;
  }

  get size(): number {
    return this.statSize;
  }

  get mtimeMs(): number {
    return this.statMtimeMs;
  }

  get nlink(): number {
    return this.statNlink;
  }

  get lastActivityAt(): number {
    return this.activityAt;
  }

  get lastSweptAt(): number {
    return this.sweptAt;
  }

  get detached(): Detachment | undefined {
    return this.detachment;
  }

  /** Its delivery tracking: what of it is acknowledged, what is in flight. */
  get acks(): AckTracker {
    return this.tracker;
  }

  /** What was known of it at the last look, for judgeOpen. */
  known(): Known {
    const detached = this.detachment !== undefined;
    return { key: this.key, size: this.statSize, readPos: this.position, mtimeMs: this.statMtimeMs, detached };
  }

  /** Take in what an fstat said: growth counts as activity. */
  observe(st: GrowthStat): void {
    if (st.size > this.statSize) this.activityAt = this.clock.now();
    this.statSize = st.size;
    this.statMtimeMs = st.mtimeMs;
    this.statNlink = st.nlink;
  }

  /** The periodic sweep looked at it now. */
  swept(): void {
    this.sweptAt = this.clock.now();
  }

  /** The path no longer leads to it. rotate_wait counts from now: an app writes on to the old file for a while. */
  detach(how: Detachment): void {
    this.detachment = how;
    this.activityAt = this.clock.now();
  }

  /**
   * It was truncated: read it again from 0, identified by its new first bytes. In-flight batches point into content
   * that no longer exists, so a fresh tracker takes over.
   */
  restartAtZero(firstBytes: Buffer, onCommit: CommitListener): void {
    this.rewind(0);
    this.headBytes = Buffer.from(firstBytes.subarray(0, HEAD_BYTES));
    this.currentHead = headOf(this.headBytes);
    this.tracker = new AckTracker(0, onCommit);
    this.activityAt = this.clock.now();
  }

  /** Arm (or, with undefined, drop) the timer that closes an open multiline event. */
  setMultilineTimer(timer: Timer | undefined): void {
    this.multilineTimer?.cancel();
    this.multilineTimer = timer;
  }

  /** Where a restart must resume to see every line not yet emitted. */
  get committable(): number {
    return this.multiline?.pendingOffset ?? this.splitter.committable;
  }

  /** True when the file has bytes we have not read (as of the last fstat). */
  get behind(): boolean {
    return this.size > this.readPos;
  }

  /** Lines held back: an unfinished last line, or an open multiline event. */
  get holding(): boolean {
    return this.splitter.pending || this.multiline?.pendingOffset !== undefined;
  }

  /** True while a multiline event is open (waiting for continuation lines or its timeout). */
  get eventOpen(): boolean {
    return this.multiline?.pendingOffset !== undefined;
  }

  /**
   * Read the next chunk; returns its size, undefined at end of file, or REWRITTEN (nothing read: see there).
   * Its lines (events) are then taken a slice at a time with take(), so one slice's strings are alive at once rather
   * than a whole read's. With needles, only lines containing one of them are decoded (see LineSplitter.load);
   * multiline events need every line, so the needles are ignored then. With ahead, the next read starts now if the
   * file has more (pass it only when that read follows at once, so an idle file holds no buffer).
   */
  async read(needles?: readonly Needle[], ahead = false): Promise<number | undefined | typeof REWRITTEN> {
    if (!this.handle) return undefined;
    // Lines of the previous read left untaken (a loop cut short): read them again rather than lose them.
    if (this.splitter.loaded) this.rewind(this.committable);
    const select = this.multiline || this.options.maxLineBytes < CHUNK_BYTES ? undefined : needles;
    this.reader.chunkBytes = select ? CHUNK_BYTES : RECORD_CHUNK_BYTES;
    const { buf, bytesRead } = await this.reader.read(this.handle, this.position, this.statSize - this.position);
    if (bytesRead === 0) return undefined;
    // Checked after the read: a truncation and new writes between the last look and this read would otherwise pass
    // the new content off as the rest of the old, whose unread lines (in a rotated copy) would then never be read.
    if (this.currentHead.len > 0 && !headStillAt(this.handle.fd, this.currentHead)) {
      this.reader.drop();
      this.reader.recycle(buf); // nothing was taken from it
      return REWRITTEN;
    }
    this.position += bytesRead;
    if (this.position > this.statSize) this.statSize = this.position;
    this.activityAt = this.clock.now();
    // Catching up: let the next read run while this chunk is split and handed on.
    if (ahead && this.behind) this.reader.readAhead(this.handle, this.position, this.statSize - this.position);
    const chunk = buf.subarray(0, bytesRead);
    this.growHead(chunk, this.readPos - bytesRead);
    this.splitter.load(chunk, select);
    this.loadedBuf = buf;
    this.counted = 0;
    return bytesRead;
  }

  /**
   * The next lines (events) of the last read, about max of them (maybe none, when the needles left out every line
   * of the rest or an event is still open); undefined once the read's lines are all taken. committable moves past
   * a line only once it is taken.
   */
  take(max: number): RawLine[] | undefined {
    const raw = this.splitter.next(max);
    if (!raw) return undefined;
    if (!this.splitter.loaded) this.unload();
    return this.multiline ? this.multiline.push(raw) : raw;
  }

  /** Lines the last read completed since the last call (taken, or left out by the prefilter), for metrics. */
  countLines(): number {
    const n = this.splitter.completed - this.counted;
    this.counted = this.splitter.completed;
    return n;
  }

  /** The read's lines are all taken: its buffer, which no line points into (they are decoded copies), is reused. */
  private unload(): void {
    const buf = this.loadedBuf;
    this.loadedBuf = undefined;
    if (buf && this.behind) this.reader.recycle(buf);
  }

  /** A short file's head grows with the bytes read right after it, so a file that was tiny stays recognisable. */
  private growHead(chunk: Buffer, at: number): void {
    const have = this.headBytes.length;
    if (have >= HEAD_BYTES || at > have || at + chunk.length <= have) return;
    const more = chunk.subarray(have - at, have - at + (HEAD_BYTES - have));
    this.headBytes = Buffer.concat([this.headBytes, more]);
    this.currentHead = headOf(this.headBytes);
  }

  /** Close the open multiline event (its timeout passed). */
  flushMultiline(): RawLine[] {
    const event = this.multiline?.flush();
    return event ? [event] : [];
  }

  /** Everything held back, as final lines: the file is being let go, so an unfinished last line is emitted as is. */
  flushAll(): RawLine[] {
    // Lines of a read not yet taken come first (a file let go while its read was being emitted).
    const raw = this.splitter.next(Infinity) ?? [];
    this.unload();
    const partial = this.splitter.flush();
    if (partial) raw.push(partial);
    if (!this.multiline) return raw;
    const events = raw.length > 0 ? this.multiline.push(raw) : [];
    const last = this.multiline.flush();
    return last ? [...events, last] : events;
  }

  /** Start over at offset, forgetting held-back bytes (they will be read again). */
  rewind(offset: number): void {
    this.reader.drop();
    this.loadedBuf = undefined;
    this.position = offset;
    this.splitter.reset(offset);
    this.multiline?.reset();
  }

  records(lines: RawLine[]): LogRecord[] {
    const time = this.clock.now();
    return lines.map((l) => ({
      source: this.source,
      file: this.path,
      offset: l.offset,
      line: l.text,
      time,
      fields: NO_FIELDS,
    }));
  }

  checkpoint(offset: number): Checkpoint {
    return { offset, path: this.path, dev: this.dev, ino: this.ino, head: { ...this.head } };
  }

  /** Bytes at the file's start, to verify it still begins as it did (not truncated and rewritten). */
  async readHead(len: number): Promise<Buffer> {
    return this.handle ? readAt(this.handle, 0, len) : Buffer.alloc(0);
  }

  async close(): Promise<void> {
    await this.reader.settle();
    this.setMultilineTimer(undefined);
    const handle = this.fileHandle;
    this.fileHandle = undefined;
    await handle?.close().catch(() => {});
  }
}
