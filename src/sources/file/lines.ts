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
  /** Lines completed by the last push, returned or not (a selective push returns only candidates). */
  completed = 0;

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

  /** Where reading must resume to see every line not yet returned: the start of the unfinished line. */
  get committable(): number {
    return this.lineStart;
  }

  /** True when bytes of an unfinished line are held. */
  get pending(): boolean {
    return this.position > this.lineStart;
  }

  /** Start over at offset (after a truncation or a rewind), dropping any unfinished line. */
  reset(offset: number): void {
    this.parts = [];
    this.kept = 0;
    this.dropped = 0;
    this.lastByte = -1;
    this.lineStart = offset;
    this.position = offset;
  }

  /**
   * Take the next bytes of the file (they follow the previous chunk) and return the lines they complete.
   * With needles, return only the lines whose bytes contain one of them (and a line begun in an earlier
   * chunk, which is always returned): the caller then decodes a few candidates instead of every line.
   * Only for lines shorter than maxBytes, since the bytes of a cut line differ from its text.
   */
  push(chunk: Buffer, needles?: readonly Needle[]): RawLine[] {
    this.completed = 0;
    const lines: RawLine[] = [];
    let from = 0;
    if (needles && this.pending) from = this.finishPending(chunk, lines);
    if (needles && from >= 0) from = this.pushSelected(chunk, from, needles, lines);
    for (;;) {
      if (from < 0) break;
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl < 0) break;
      lines.push(this.finish(chunk, from, nl));
      this.completed++;
      this.lineStart = this.position + nl + 1;
      from = nl + 1;
    }
    if (from >= 0 && from < chunk.length) this.keep(chunk, from, chunk.length);
    this.position += chunk.length;
    return lines;
  }

  /** Complete the line begun in an earlier chunk; returns where the next line starts, or -1 (chunk kept whole). */
  private finishPending(chunk: Buffer, lines: RawLine[]): number {
    const nl = chunk.indexOf(NEWLINE);
    if (nl < 0) {
      this.keep(chunk, 0, chunk.length);
      return -1;
    }
    lines.push(this.finish(chunk, 0, nl));
    this.completed++;
    this.lineStart = this.position + nl + 1;
    return nl + 1;
  }

  /** The candidate lines among the complete lines from `from` on; returns where the unfinished rest starts. */
  private pushSelected(chunk: Buffer, from: number, needles: readonly Needle[], lines: RawLine[]): number {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < from) return from;
    const spans = candidateSpans(chunk, from, last + 1, needles);
    this.completed += spans.lines;
    for (let i = 0; i < spans.starts.length; i++) {
      const start = spans.starts[i] as number;
      this.lineStart = this.position + start;
      lines.push(this.finish(chunk, start, spans.ends[i] as number));
    }
    this.lineStart = this.position + last + 1;
    return last + 1 < chunk.length ? last + 1 : chunk.length;
  }

  /** The unfinished last line as a line of its own (a file let go without a final newline), if any. */
  flush(): RawLine | undefined {
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
