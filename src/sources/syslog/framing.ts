// RFC 6587 framing of a syslog TCP stream (pure): octet counting "LEN SP MSG" and newline-terminated messages.

export type Framing = "auto" | "newline" | "octet";

/** One message cut from the stream. */
export interface Frame {
  data: Buffer;
  /** Longer than max_message_bytes: data holds its first max bytes, the rest was skipped. */
  truncated: boolean;
  /** Not a valid frame (an octet count that is not a number): data is the raw text up to the next newline. */
  badFrame: boolean;
}

const LF = 0x0a;
const SPACE = 0x20;
/**
 * "LEN " is at most this many digits: anything longer cannot be a valid count and means the stream is not
 * octet-counted.
 */
const MAX_COUNT_DIGITS = 10;

/**
 * Cuts one connection's bytes into messages. `auto` decides once per connection: a leading digit means
 * octet counting (a syslog message itself starts with "<"), anything else newline framing. A bad octet
 * count never loses the stream: the text up to the next newline becomes one bad frame and counting resumes.
 */
export class SyslogFramer {
  private mode: "newline" | "octet" | undefined;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes still to drop from an oversized message (octet mode), or Infinity: drop up to the next newline. */
  private skip = 0;

  constructor(
    framing: Framing,
    private readonly maxBytes: number,
  ) {
    this.mode = framing === "auto" ? undefined : framing;
  }

  /** Feed the next chunk; returns the messages it completed. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.skip > 0 && !this.skipPending()) break;
      if (this.pending.length === 0) break;
      this.mode ??= isDigit(this.pending[0]) ? "octet" : "newline";
      const frame = this.mode === "octet" ? this.nextCounted() : this.nextLine(false);
      if (!frame) break;
      if (frame.data.length > 0 || frame.truncated) frames.push(frame);
    }
    return frames;
  }

  /** The connection closed: whatever is left is a last, unterminated (or cut) message. */
  end(): Frame[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (this.skip > 0 || rest.length === 0) return [];
    const counted = this.mode === "octet" && /^\d+ /.test(rest.subarray(0, MAX_COUNT_DIGITS + 1).toString("latin1"));
    if (counted) {
      // The sender stopped inside a counted message: keep what arrived, marked as cut.
      const data = rest.subarray(rest.indexOf(SPACE) + 1);
      return [{ data: data.subarray(0, this.maxBytes), truncated: true, badFrame: false }];
    }
    const line = stripLineEnd(rest);
    if (line.length === 0) return [];
    return [
      {
        data: line.subarray(0, this.maxBytes),
        truncated: line.length > this.maxBytes,
        badFrame: this.mode === "octet",
      },
    ];
  }

  /** Drop skipped bytes; false while more are needed. */
  private skipPending(): boolean {
    if (this.skip === Infinity) {
      const lf = this.pending.indexOf(LF);
      if (lf < 0) {
        this.pending = Buffer.alloc(0);
        return false;
      }
      this.pending = this.pending.subarray(lf + 1);
      this.skip = 0;
      return true;
    }
    const n = Math.min(this.skip, this.pending.length);
    this.pending = this.pending.subarray(n);
    this.skip -= n;
    return this.skip === 0;
  }

  /** "LEN SP MSG": undefined until the whole message (or its first max bytes) is here. */
  private nextCounted(): Frame | undefined {
    const buf = this.pending;
    let i = 0;
    while (i < buf.length && i <= MAX_COUNT_DIGITS && isDigit(buf[i])) i++;
    if (i === buf.length && i <= MAX_COUNT_DIGITS) return undefined; // the count is still arriving
    if (i === 0 || i > MAX_COUNT_DIGITS || buf[i] !== SPACE) {
      // Leading whitespace between frames is harmless; anything else is not a count.
      if (buf[0] === LF || buf[0] === 0x0d || buf[0] === SPACE || buf[0] === 0) {
        this.pending = buf.subarray(1);
        return { data: Buffer.alloc(0), truncated: false, badFrame: false };
      }
      return this.nextLine(true);
    }
    const length = Number(buf.subarray(0, i).toString("latin1"));
    const start = i + 1;
    const wanted = Math.min(length, this.maxBytes);
    if (buf.length - start < wanted) return undefined;
    const data = Buffer.from(buf.subarray(start, start + wanted)); // copy: pending may be a slice of a big chunk
    const available = buf.length - start;
    if (length > wanted) {
      const consumed = Math.min(length, available);
      this.skip = length - consumed;
      this.pending = buf.subarray(start + consumed);
      return { data, truncated: true, badFrame: false };
    }
    this.pending = buf.subarray(start + length);
    return { data, truncated: false, badFrame: false };
  }

  /** A newline-terminated message; one longer than max is cut there and the rest dropped up to the newline. */
  private nextLine(badFrame: boolean): Frame | undefined {
    const buf = this.pending;
    const lf = buf.indexOf(LF);
    if (lf < 0) {
      if (buf.length <= this.maxBytes) return undefined;
      this.pending = Buffer.alloc(0);
      this.skip = Infinity;
      return { data: Buffer.from(buf.subarray(0, this.maxBytes)), truncated: true, badFrame };
    }
    this.pending = buf.subarray(lf + 1);
    const line = stripLineEnd(buf.subarray(0, lf));
    const cut = line.length > this.maxBytes;
    return { data: Buffer.from(line.subarray(0, this.maxBytes)), truncated: cut, badFrame };
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** Without trailing CR, LF and NUL (some senders end messages with NUL). */
function stripLineEnd(buf: Buffer): Buffer {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0d || buf[end - 1] === LF || buf[end - 1] === 0)) end--;
  return buf.subarray(0, end);
}
