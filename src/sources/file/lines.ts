// LineSplitter: raw byte chunks → complete lines with their byte offsets; long lines are cut and marked.
import type { Needle } from "./needle.js";
import { candidateSpans } from "./select.js";

/** One complete line: where it starts, its text (UTF-8, invalid bytes as U+FFFD, no \n or \r\n) and its size. */
export interface RawLine {
  offset: number;
  text: string;
  /** Bytes of the line as read, without the line ending. */
  bytes: number;
  /** Bytes dropped because the line was longer than the limit (0 when whole). */
  cut: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/** The text appended to a line that was cut. */
export function cutMarker(dropped: number): string {
  return `…[cut ${dropped} bytes]`;
}

export class LineSplitter {
  /** Bytes of the unfinished line kept so far (at most maxBytes). */
  private parts: Buffer[] = [];
  private kept = 0;
  /** Bytes of the unfinished line beyond maxBytes, skipped until its newline. */
  private dropped = 0;
  /** Last byte of the unfinished line, to recognise a \r\n split across chunks. */
  private lastByte = -1;
  private lineStart: number;
  private position: number;
  /** Lines of the last chunk completed so far, returned or not (a selective push returns only candidates). */
  completed = 0;
  /** The chunk next() takes lines from, and its offset in the file; undefined once its lines are all taken. */
  private chunk: Buffer | undefined;
  private base = 0;
  /** The chunk's first line continues the unfinished line of earlier chunks. */
  private continues = false;
  /** With needles: the start and end (at its newline) of each line to return, and the next one's index. */
  private starts: number[] = [];
  private ends: number[] = [];
  private nextSpan = 0;
  private selective = false;
  /** Without needles: where the next line starts. With needles: where the unfinished rest starts. */
  private cursor = 0;

  constructor(
    private readonly maxBytes: number,
    offset = 0,
  ) {
    this.lineStart = offset;
    this.position = offset;
  }

  /** Offset just past the last byte pushed. */
  get end(): number {
    return this.position;
  }

  /** Where reading must resume to see every line not yet returned: the start of the first line not returned. */
  get committable(): number {
    return this.lineStart;
  }

  /** True when bytes of an unfinished line are held, or lines of the loaded chunk are not yet taken. */
  get pending(): boolean {
    return this.position > this.lineStart;
  }

  /** True while the loaded chunk has lines (or its unfinished rest) not yet taken by next(). */
  get loaded(): boolean {
    return this.chunk !== undefined;
  }

  /** Start over at offset (after a truncation or a rewind), dropping any unfinished line and untaken lines. */
  reset(offset: number): void {
    this.parts = [];
    this.kept = 0;
    this.dropped = 0;
    this.lastByte = -1;
    this.lineStart = offset;
    this.position = offset;
    this.unload();
  }

  /**
   * Take the next bytes of the file (they follow the previous chunk) and return the lines they complete.
   * With needles, return only the lines whose bytes contain one of them (and a line begun in an earlier
   * chunk, which is always returned): the caller then decodes a few candidates instead of every line.
   * Only for lines shorter than maxBytes, since the bytes of a cut line differ from its text.
   */
  push(chunk: Buffer, needles?: readonly Needle[]): RawLine[] {
    this.load(chunk, needles);
    return this.next(Infinity) ?? [];
  }

  /**
   * Take the next bytes of the file, as push does, but decode no line yet: next() then returns them a few at a
   * time, so a big read's lines need not all be alive at once. With needles the chunk is searched whole now.
   * The chunk must not change until its lines are all taken (or reset() is called).
   */
  load(chunk: Buffer, needles?: readonly Needle[]): void {
    if (this.chunk) throw new Error("LineSplitter.load: the lines of the previous chunk are not all taken");
    this.completed = 0;
    this.chunk = chunk;
    this.base = this.position;
    this.continues = this.pending;
    this.position += chunk.length;
    this.nextSpan = 0;
    this.selective = needles !== undefined;
    this.cursor = 0;
    if (needles) this.select(chunk, needles);
  }

  /**
   * Up to max lines of the loaded chunk (a few more rather than leaving a remainder under a quarter of max), in
   * order; once the last is returned the unfinished rest is kept and committable is the chunk's. Undefined when
   * no chunk is loaded. committable moves past a line only once it is returned (and past lines left out by the
   * needles up to the next one returned).
   */
  next(max: number): RawLine[] | undefined {
    const chunk = this.chunk;
    if (!chunk) return undefined;
    const lines: RawLine[] = [];
    if (this.selective) this.nextSelected(chunk, max, lines);
    else this.nextScanned(chunk, max, lines);
    return lines;
  }

  /** Find the candidate lines (and the end of the line begun in an earlier chunk) of a chunk being loaded. */
  private select(chunk: Buffer, needles: readonly Needle[]): void {
    let from = 0;
    let pendingEnd = -1;
    if (this.continues) {
      pendingEnd = chunk.indexOf(NEWLINE);
      from = pendingEnd < 0 ? -1 : pendingEnd + 1;
      if (pendingEnd >= 0) this.completed++;
    }
    const last = from < 0 ? -1 : chunk.lastIndexOf(NEWLINE);
    this.cursor = from < 0 ? 0 : from;
    let starts: number[] = [];
    let ends: number[] = [];
    if (last >= from && from >= 0) {
      const spans = candidateSpans(chunk, from, last + 1, needles);
      this.completed += spans.lines;
      starts = spans.starts;
      ends = spans.ends;
      this.cursor = last + 1;
    }
    // The line begun in an earlier chunk comes first, whether it holds a needle or not.
    if (pendingEnd >= 0) {
      starts.unshift(0);
      ends.unshift(pendingEnd);
    }
    this.starts = starts;
    this.ends = ends;
  }

  private nextSelected(chunk: Buffer, max: number, lines: RawLine[]): void {
    const count = this.starts.length;
    let stop = Math.min(count, this.nextSpan + max);
    if (count - stop < max / 4) stop = count;
    for (let i = this.nextSpan; i < stop; i++) {
      const start = this.starts[i] as number;
      if (i > 0 || !this.continues) this.lineStart = this.base + start;
      lines.push(this.finish(chunk, start, this.ends[i] as number));
    }
    this.nextSpan = stop;
    if (stop < count) this.lineStart = this.base + (this.starts[stop] as number);
    else this.finishChunk(chunk, this.cursor);
  }

  private nextScanned(chunk: Buffer, max: number, lines: RawLine[]): void {
    let from = this.cursor;
    while (lines.length < max) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl < 0) return this.finishChunk(chunk, from);
      lines.push(this.finish(chunk, from, nl));
      this.completed++;
      this.lineStart = this.base + nl + 1;
      from = nl + 1;
    }
    this.cursor = from;
    if (from >= chunk.length) this.finishChunk(chunk, from);
  }

  /** Every line of the chunk is taken: keep its unfinished rest (from `rest` on) and let the chunk go. */
  private finishChunk(chunk: Buffer, rest: number): void {
    if (rest > 0) this.lineStart = this.base + rest;
    if (rest < chunk.length) this.keep(chunk, rest, chunk.length);
    this.unload();
  }

  private unload(): void {
    this.chunk = undefined;
    this.starts = [];
    this.ends = [];
  }

  /** The unfinished last line as a line of its own (a file let go without a final newline), if any. */
  flush(): RawLine | undefined {
    if (this.chunk) throw new Error("LineSplitter.flush: the lines of the loaded chunk are not all taken");
    if (!this.pending) return undefined;
    const line = this.finish(Buffer.alloc(0), 0, 0);
    this.lineStart = this.position;
    return line;
  }

  /** Complete the line that ends at chunk[end] (exclusive), joining what was kept from earlier chunks. */
  private finish(chunk: Buffer, from: number, end: number): RawLine {
    const offset = this.lineStart;
    if (end > from) this.lastByte = chunk[end - 1] as number;
    const crlf = this.lastByte === CR;
    let body: Buffer;
    let dropped = 0;
    if (this.kept === 0 && this.dropped === 0) {
      body = chunk.subarray(from, end);
    } else {
      this.keep(chunk, from, end);
      body = Buffer.concat(this.parts, this.kept);
      dropped = this.dropped;
    }
    this.parts = [];
    this.kept = 0;
    this.dropped = 0;
    this.lastByte = -1;
    // The \r of a \r\n ending is not part of the line: drop it from the text, or from the count of cut bytes.
    if (crlf && dropped > 0) dropped--;
    else if (crlf) body = body.subarray(0, body.length - 1);
    return decodeLine(offset, body, dropped, this.maxBytes);
  }

  /** Hold bytes of an unfinished line, up to maxBytes; count the rest as dropped. */
  private keep(chunk: Buffer, from: number, end: number): void {
    if (end <= from) return;
    this.lastByte = chunk[end - 1] as number;
    const take = Math.min(Math.max(0, this.maxBytes - this.kept), end - from);
    if (take > 0) {
      // Copy, so a small tail does not pin the whole read buffer in memory.
      this.parts.push(Buffer.from(chunk.subarray(from, from + take)));
      this.kept += take;
    }
    this.dropped += end - from - take;
  }
}

/** Turn a line's bytes into text: cut at maxBytes on a character boundary and mark the cut. */
function decodeLine(offset: number, body: Buffer, alreadyDropped: number, maxBytes: number): RawLine {
  let dropped = alreadyDropped;
  const bytes = body.length + dropped;
  if (body.length > maxBytes) {
    dropped += body.length - maxBytes;
    body = body.subarray(0, maxBytes);
  }
  if (dropped === 0) return { offset, text: body.toString("utf8"), bytes, cut: 0 };
  const boundary = charBoundary(body);
  dropped += body.length - boundary;
  return { offset, text: body.toString("utf8", 0, boundary) + cutMarker(dropped), bytes, cut: dropped };
}

/** The largest length ≤ body.length that does not split a UTF-8 character at the end. */
function charBoundary(body: Buffer): number {
  let lead = body.length - 1;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the character's first byte.
  while (lead >= 0 && body.length - lead <= 3 && ((body[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead < 0) return body.length;
  const first = body[lead] as number;
  const width = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return lead + width > body.length ? lead : body.length;
}
