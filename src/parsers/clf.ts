// Apache/nginx `common` and `combined` formats, scanned character by character (no regex per line).
import type { Fields } from "../core/record.js";
import {
  digitsAt,
  HIT,
  INVALID,
  requestSpans,
  type LineFormat,
  type RequestHit,
  type ParsedLine,
  type ScanOutcome,
} from "./access.js";
import { ClfByteScanner } from "./clf-bytes.js";
import { CLF_TIME_LENGTH, ClfTimeCache } from "./clf-time.js";

/** The fields of a common-format line (w3c-csv's too); combined adds referer and agent. */
export const CLF_FIELDS = ["host", "ident", "user", "request", "method", "path", "protocol", "status", "bytes"];
export const COMBINED_FIELDS = [...CLF_FIELDS, "referer", "agent"];

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const DASH = 45;

// Offsets into ClfScanner.spans (start, end pairs).
const HOST = 0;
const IDENT = 2;
const USER = 4;
const REQUEST = 6;
const METHOD = 8;
const PATH = 10;
const PROTOCOL = 12;
const REFERER = 14;
const AGENT = 16;

/**
 * `host ident user [dd/Mon/yyyy:HH:mm:ss ±zzzz] "request" status bytes` then, for combined,
 * ` "referer" "agent"`; anything after a further space is ignored (nginx often appends fields).
 * Quoted strings may contain backslash escapes (`\"`), kept as written.
 */
export class ClfScanner {
  readonly spans = new Int32Array(18);
  status = 0;
  bytes = 0;
  time = NaN;
  /** Whether the last line had referer and agent. */
  extras = false;

  constructor(private readonly times = new ClfTimeCache()) {}

  /** Scan text[start, end); true when it is a valid line (with referer and agent when requireExtras). */
  scan(text: string, start: number, end: number, requireExtras: boolean): boolean {
    let i = this.word(text, start, end, HOST);
    if (i < 0 || (i = this.word(text, i, end, IDENT)) < 0 || (i = this.word(text, i, end, USER)) < 0) return false;
    if (text.charCodeAt(i) !== 91 || i + CLF_TIME_LENGTH + 3 >= end || text.charCodeAt(i + CLF_TIME_LENGTH + 1) !== 93)
      return false;
    if (text.charCodeAt(i + CLF_TIME_LENGTH + 2) !== SPACE) return false;
    this.time = this.times.parse(text, i + 1);
    if (this.time !== this.time) return false; // NaN
    i = this.quoted(text, i + CLF_TIME_LENGTH + 3, end, REQUEST);
    if (i < 0 || text.charCodeAt(i) !== SPACE) return false;
    const statusEnd = i + 4;
    if (statusEnd >= end || text.charCodeAt(statusEnd) !== SPACE) return false;
    this.status = digitsAt(text, i + 1, statusEnd);
    if (this.status < 0) return false;
    let bytesEnd = text.indexOf(" ", statusEnd + 1);
    if (bytesEnd < 0 || bytesEnd >= end) bytesEnd = end;
    const dash = bytesEnd === statusEnd + 2 && text.charCodeAt(statusEnd + 1) === DASH;
    this.bytes = dash ? 0 : digitsAt(text, statusEnd + 1, bytesEnd);
    if (this.bytes < 0) return false;
    this.extras = this.scanExtras(text, bytesEnd, end);
    if (requireExtras && !this.extras) return false;
    requestSpans(text, this.spans[REQUEST] as number, this.spans[REQUEST + 1] as number, this.spans, METHOD);
    return true;
  }

  /**
   * A non-empty run of non-spaces at text[i] followed by a space; its span goes to spans[at]. Returns the index after
   * the space, or -1.
   */
  private word(text: string, i: number, end: number, at: number): number {
    const space = text.indexOf(" ", i);
    if (space <= i || space >= end) return -1;
    this.spans[at] = i;
    this.spans[at + 1] = space;
    return space + 1;
  }

  /**
   * A quoted string starting at text[i]; its inside goes to spans[at]. Returns the index after the closing quote, or
   * -1.
   */
  private quoted(text: string, i: number, end: number, at: number): number {
    if (i >= end || text.charCodeAt(i) !== QUOTE) return -1;
    let close = text.indexOf('"', i + 1);
    while (close >= 0 && close < end) {
      let slashes = 0;
      while (text.charCodeAt(close - 1 - slashes) === BACKSLASH && close - 1 - slashes > i) slashes++;
      if (slashes % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    if (close < 0 || close >= end) return -1;
    this.spans[at] = i + 1;
    this.spans[at + 1] = close;
    return close + 1;
  }

  /** ` "referer" "agent"` at text[i], ending the line or followed by a space. */
  private scanExtras(text: string, i: number, end: number): boolean {
    if (i >= end || text.charCodeAt(i) !== SPACE) return false;
    i = this.quoted(text, i + 1, end, REFERER);
    if (i < 0 || i >= end || text.charCodeAt(i) !== SPACE) return false;
    i = this.quoted(text, i + 1, end, AGENT);
    return i >= 0 && (i === end || text.charCodeAt(i) === SPACE);
  }

  /** Every field of the last scanned line (referer and agent only when present): COMBINED_FIELDS at most. */
  fields(text: string, into: Fields): void {
    const s = this.spans;
    const cut = (at: number): string => text.slice(s[at], s[at + 1]);
    into.host = cut(HOST);
    into.ident = cut(IDENT);
    into.user = cut(USER);
    into.request = cut(REQUEST);
    into.method = cut(METHOD);
    into.path = cut(PATH);
    into.protocol = cut(PROTOCOL);
    into.status = this.status;
    into.bytes = this.bytes;
    if (this.extras) {
      into.referer = cut(REFERER);
      into.agent = cut(AGENT);
    }
  }

  /** The hit of the last scanned line: host and path stay ranges of the text. */
  hit(text: string, hit: RequestHit): void {
    const s = this.spans;
    hit.time = this.time;
    hit.setHost(text, s[HOST], s[HOST + 1]);
    hit.setPath(text, s[PATH], s[PATH + 1]);
    hit.status = this.status;
    hit.bytes = this.bytes;
  }
}

/** A CLF format: combined requires referer and agent; common accepts them when present. */
export function createClfFormat(combined: boolean): LineFormat & { readonly scanner: ClfScanner } {
  const times = new ClfTimeCache();
  const scanner = new ClfScanner(times);
  const bytes = new ClfByteScanner(times);
  return {
    name: combined ? "combined" : "common",
    scanner,
    scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
      if (!scanner.scan(text, start, end, combined)) return INVALID;
      scanner.hit(text, hit);
      return HIT;
    },
    scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
      return bytes.scan(buf, start, end, combined, hit);
    },
    parse(line: string, out: ParsedLine): ScanOutcome {
      if (!scanner.scan(line, 0, line.length, combined)) return INVALID;
      scanner.fields(line, out.fields);
      out.time = scanner.time;
      return HIT;
    },
  };
}
