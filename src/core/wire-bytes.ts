// The wire form of a record written as UTF-8 straight into a buffer: the bytes of wireJson, without its strings.
//
// The file action writes one wire line per firing, thousands a second while catching up. Built as a string, each
// line cost a JSON.stringify of the log line, a dozen concatenations and the flattening of them all when encoded;
// here the pieces that are the same from line to line (the time's second, source and file, rule) are bytes made
// once, and an ASCII line is escaped byte by byte into the buffer. Anything else (a line with other characters, a
// time or offset off the usual layout, fields) takes the string path of wire.ts, so the bytes stay those of
// `Buffer.from(wireJson(event))`.
import type { Fields, LogRecord } from "./record.js";
import { isEmpty, isoTime } from "./wire.js";

/** Lines longer than this (UTF-16 units) are encoded through JSON.stringify: the scratch buffer takes 3 bytes each. */
const SCRATCH_UNITS = 16 * 1024;
/** The line's UTF-8 bytes, read back to escape them; shared by the encoders (see scratchHolder). */
const scratch = Buffer.allocUnsafe(SCRATCH_UNITS * 3);
/**
 * The encoder whose prepared line scratch holds: another's write() between a prepare() and its write() encodes
 * again.
 */
let scratchHolder = 0;
/** Encoders made so far: each has its number for scratchHolder. */
let encoders = 0;
const scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);

/** Per ASCII byte, what JSON.stringify writes for it: 0 as is, else the letter after the backslash (or `u`). */
const ESCAPE = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75; // \u00XX
ESCAPE[0x08] = 0x62; // \b
ESCAPE[0x09] = 0x74; // \t
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0c] = 0x66; // \f
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x22] = 0x22; // \"
ESCAPE[0x5c] = 0x5c; // \\
const HEX = Buffer.from("0123456789abcdef", "latin1");

const NULL_TIME = Buffer.from('{"time":null,', "latin1");
const LINE_KEY = Buffer.from(',"line":', "latin1");
const EMPTY_FIELDS = Buffer.from("{}", "latin1");
const NULL = Buffer.from("null", "latin1");
/** Bytes of every piece but the line, fields, source, file and rule, with room for any time and offset text. */
const FIXED_BOUND = 128;
/** Rules whose piece is kept: configured rules are far fewer; past this (names from elsewhere) the cache restarts. */
const MAX_RULES = 4096;

/**
 * One record's wire line at a time: prepare() says how many bytes it takes at most, write() puts them in a buffer
 * with that much room and returns where they end. One encoder per writer: its pieces are cached between lines.
 */
export class WireBytes {
  private readonly id = ++encoders;
  private second = NaN;
  private timePrefix: Buffer = NULL_TIME;
  private source: string | undefined;
  private file: string | undefined | null;
  private sourcePiece: Buffer = NULL;
  private readonly rulePieces = new Map<string, Buffer>();
  /** The last buffer written into, and a view of it for writing four bytes at once. */
  private viewed: Buffer | undefined;
  private view: DataView = scratchView;
  // The prepared record.
  private record: LogRecord | undefined;
  private rulePiece: Buffer = NULL;
  /** Bytes of the ASCII line in scratch, or -1 when lineJson carries it. */
  private asciiBytes = -1;
  private lineJson = "";
  private fieldsJson: string | undefined;

  /** Take the record's line (its fields are `fields`), and return the most bytes write() will use for it. */
  prepare(rule: string, record: LogRecord, fields: Fields): number {
    this.record = record;
    this.rulePiece = this.ruleBytes(rule);
    if (record.source !== this.source || record.file !== this.file) this.cacheSource(record.source, record.file);
    const line = record.line;
    this.asciiBytes = line.length <= SCRATCH_UNITS ? scratch.write(line, 0, "utf8") : -1;
    scratchHolder = this.id;
    // Every UTF-16 unit takes at least one byte: as many bytes as units means every one was ASCII.
    if (this.asciiBytes !== line.length) this.asciiBytes = -1;
    this.lineJson = this.asciiBytes < 0 ? JSON.stringify(line) : "";
    this.fieldsJson = isEmpty(fields) ? undefined : JSON.stringify(fields);
    const lineBound = this.asciiBytes < 0 ? this.lineJson.length * 3 : this.asciiBytes * 6 + 2;
    const fieldsBound = this.fieldsJson === undefined ? 2 : this.fieldsJson.length * 3;
    return FIXED_BOUND + this.sourcePiece.length + this.rulePiece.length + lineBound + fieldsBound;
  }

  /** The prepared line, `}` and a newline included, into buf from `at`: returns the end. */
  write(buf: Buffer, at: number): number {
    const record = this.record as LogRecord;
    at = this.writeTime(buf, at, record.time);
    buf.set(this.sourcePiece, at);
    at = writeOffset(buf, at + this.sourcePiece.length, record.offset);
    buf.set(LINE_KEY, at);
    at += LINE_KEY.length;
    if (this.asciiBytes < 0) at += buf.write(this.lineJson, at, "utf8");
    else {
      if (scratchHolder !== this.id) scratch.write(record.line, 0, "utf8");
      scratchHolder = this.id;
      at = escapeAscii(buf, this.viewOf(buf), at, this.asciiBytes);
    }
    buf.set(this.rulePiece, at);
    at += this.rulePiece.length;
    if (this.fieldsJson === undefined) {
      buf.set(EMPTY_FIELDS, at);
      at += EMPTY_FIELDS.length;
    } else at += buf.write(this.fieldsJson, at, "utf8");
    buf[at++] = 0x7d; // }
    buf[at++] = 0x0a;
    this.record = undefined;
    return at;
  }

  /**
   * `{"time":"…Z",` (or null): whole milliseconds of years 1970–9999 from the cached second, the rest via
   * isoTime.
   */
  private writeTime(buf: Buffer, at: number, ms: number): number {
    if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) {
      const iso = isoTime(ms);
      if (iso === null) {
        buf.set(NULL_TIME, at);
        return at + NULL_TIME.length;
      }
      return at + buf.write(`{"time":"${iso}",`, at, "latin1");
    }
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.timePrefix = Buffer.from(`{"time":"${isoTime(second * 1000)?.slice(0, 20) ?? ""}`, "latin1");
    }
    const prefix = this.timePrefix;
    buf.set(prefix, at);
    at += prefix.length;
    const milli = ms - second * 1000;
    buf[at] = 0x30 + Math.floor(milli / 100);
    buf[at + 1] = 0x30 + (Math.floor(milli / 10) % 10);
    buf[at + 2] = 0x30 + (milli % 10);
    buf[at + 3] = 0x5a; // Z
    buf[at + 4] = 0x22; // "
    buf[at + 5] = 0x2c; // ,
    return at + 6;
  }

  private viewOf(buf: Buffer): DataView {
    if (buf !== this.viewed) {
      this.viewed = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    return this.view;
  }

  private cacheSource(source: string, file: string | undefined | null): void {
    this.source = source;
    this.file = file;
    const fileJson = file == null ? "null" : JSON.stringify(file);
    this.sourcePiece = Buffer.from(`"source":${JSON.stringify(source)},"file":${fileJson},"offset":`, "utf8");
  }

  private ruleBytes(rule: string): Buffer {
    let piece = this.rulePieces.get(rule);
    if (piece) return piece;
    if (this.rulePieces.size >= MAX_RULES) this.rulePieces.clear();
    piece = Buffer.from(`,"rule":${JSON.stringify(rule)},"fields":`, "utf8");
    this.rulePieces.set(rule, piece);
    return piece;
  }
}

/** The offset as JSON.stringify writes it: digits for a whole number, null for none (or NaN, Infinity). */
function writeOffset(buf: Buffer, at: number, offset: number | undefined): number {
  if (offset == null || !Number.isFinite(offset)) {
    buf.set(NULL, at);
    return at + NULL.length;
  }
  if (!(offset >= 0 && offset <= Number.MAX_SAFE_INTEGER && Number.isInteger(offset)))
    return at + buf.write(String(offset), at, "latin1");
  // Offsets below 2 GiB (nearly all) in 32-bit integer steps; a division of doubles per digit costs more.
  if (offset <= 0x7fffffff) return writeSmallOffset(buf, at, offset | 0);
  let digits = 1;
  for (let rest = offset; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = offset;
  for (let i = at + digits - 1; i >= at; i--) {
    buf[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** A whole number in 0..2^31-1 as digits into buf at `at`: returns the end. */
function writeSmallOffset(buf: Buffer, at: number, offset: number): number {
  let digits = 1;
  for (let rest = offset; rest >= 10; rest = (rest / 10) | 0) digits++;
  let rest = offset;
  for (let i = at + digits - 1; i >= at; i--) {
    const tenth = (rest / 10) | 0;
    buf[i] = 0x30 + rest - tenth * 10;
    rest = tenth;
  }
  return at + digits;
}

/**
 * The ASCII line in scratch, quoted and escaped as JSON.stringify does, into buf (seen through `view`) from `at`:
 * returns the end. Four bytes at a time: a word none of whose bytes is a quote, a backslash or a control character
 * (tested with the bit tricks that find a zero byte, exact on ASCII, where no byte has its top bit) is copied whole.
 */
function escapeAscii(buf: Buffer, view: DataView, at: number, bytes: number): number {
  buf[at++] = 0x22;
  let i = 0;
  for (const whole = bytes - 3; i < whole; i += 4) {
    const word = scratchView.getInt32(i, true);
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    const special =
      (((quote - 0x01010101) | 0) & ~quote) |
      (((backslash - 0x01010101) | 0) & ~backslash) |
      (((word - 0x20202020) | 0) & ~word);
    if ((special & 0x80808080) === 0) {
      view.setInt32(at, word, true);
      at += 4;
    } else for (let k = i; k < i + 4; k++) at = escapeByte(buf, at, scratch[k] as number);
  }
  for (; i < bytes; i++) at = escapeByte(buf, at, scratch[i] as number);
  buf[at++] = 0x22;
  return at;
}

/** One ASCII byte as JSON.stringify writes it, into buf at `at`: returns the end. */
function escapeByte(buf: Buffer, at: number, c: number): number {
  const escape = ESCAPE[c] as number;
  if (escape === 0) {
    buf[at] = c;
    return at + 1;
  }
  buf[at++] = 0x5c;
  buf[at++] = escape;
  if (escape !== 0x75) return at;
  buf[at++] = 0x30;
  buf[at++] = 0x30;
  buf[at++] = HEX[c >> 4] as number;
  buf[at++] = HEX[c & 15] as number;
  return at;
}
