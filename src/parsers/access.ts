// Shared vocabulary of the line formats (w3c-csv, CLF, JSON, logfmt): scan outcomes, the request hit analytics reads.
import type { Fields } from "../core/record.js";

/** What a format made of one line: not its format, a request, or a line to skip (a CSV header). */
export const INVALID = 0;
export const HIT = 1;
export const SKIP = 2;
export type ScanOutcome = typeof INVALID | typeof HIT | typeof SKIP;

/**
 * What analytics needs from one line, as an HTTP request (whichever format carried it). Host and path are
 * ranges of a text (usually the chunk the line is in) or of the line's UTF-8 bytes (when `hostBytes`/`pathBytes`
 * is set), so a scan makes no string for them. Scanners overwrite one instance line after line: never keep it.
 */
export class RequestHit {
  /** Event time in ms since the epoch; NaN when the line carries no timestamp. */
  time = NaN;
  hostText = "";
  hostBytes: Buffer | null = null;
  hostStart = 0;
  hostEnd = 0;
  pathText = "";
  pathBytes: Buffer | null = null;
  pathStart = 0;
  pathEnd = 0;
  status = 0;
  bytes = 0;

  get host(): string {
    return this.hostBytes
      ? this.hostBytes.toString("utf8", this.hostStart, this.hostEnd)
      : this.hostText.slice(this.hostStart, this.hostEnd);
  }

  get path(): string {
    return this.pathBytes
      ? this.pathBytes.toString("utf8", this.pathStart, this.pathEnd)
      : this.pathText.slice(this.pathStart, this.pathEnd);
  }

  /** The hit as plain values (strings for host and path). */
  values(): { time: number; host: string; path: string; status: number; bytes: number } {
    return { time: this.time, host: this.host, path: this.path, status: this.status, bytes: this.bytes };
  }

  setHost(text: string, start = 0, end = text.length): void {
    this.hostText = text;
    this.hostBytes = null;
    this.hostStart = start;
    this.hostEnd = end;
  }

  setPath(text: string, start = 0, end = text.length): void {
    this.pathText = text;
    this.pathBytes = null;
    this.pathStart = start;
    this.pathEnd = end;
  }

  setHostBytes(buf: Buffer, start: number, end: number): void {
    this.hostBytes = buf;
    this.hostStart = start;
    this.hostEnd = end;
  }

  setPathBytes(buf: Buffer, start: number, end: number): void {
    this.pathBytes = buf;
    this.pathStart = start;
    this.pathEnd = end;
  }
}

export function newHit(): RequestHit {
  return new RequestHit();
}

/** A hit with the given values (tests, and callers holding strings). */
export function accessHit(values: {
  time: number;
  host: string;
  path: string;
  status: number;
  bytes: number;
}): RequestHit {
  const hit = new RequestHit();
  hit.time = values.time;
  hit.setHost(values.host);
  hit.setPath(values.path);
  hit.status = values.status;
  hit.bytes = values.bytes;
  return hit;
}

/** The full parse of one line for records: fields are written only when the line is a hit. */
export interface ParsedLine {
  fields: Fields;
  /** NaN when the line has no timestamp. */
  time: number;
}

/**
 * One line format (w3c-csv, common/combined, JSON, logfmt, auto). `scan` is the fast path for analytics: it
 * reads text[start, end) (one line without its newline, inside a larger chunk) and points the hit at what
 * analytics needs. `parse` fills
 * every common field (host, user, method, path, protocol, status, bytes, referer, agent).
 */
export interface LineFormat {
  /** The format name; for auto, the detected format once known. */
  readonly name: string;
  scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome;
  /** `scan` on the UTF-8 bytes buf[start, end) of one line: the same outcome and hit as scan on its text. */
  scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome;
  parse(line: string, out: ParsedLine): ScanOutcome;
}

/** scanBytes for a format that reads text only: the line is decoded first. */
export function scanDecoded(format: LineFormat, buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
  const line = buf.toString("utf8", start, end);
  return format.scan(line, 0, line.length, hit);
}

/**
 * Where method, path and protocol lie in a request "METHOD path PROTOCOL" at text[start, end):
 * method before the first space, protocol after the last, path between. With one space there is no
 * protocol; with none (a "-" or garbage request) all three are empty. Returns [m0, m1, p0, p1, r0, r1].
 */
export function requestSpans(text: string, start: number, end: number, spans: Int32Array, at: number): void {
  const first = text.indexOf(" ", start);
  if (first < 0 || first >= end) {
    spans.fill(start, at, at + 6);
    return;
  }
  let last = text.lastIndexOf(" ", end - 1);
  if (last === first) last = end;
  spans[at] = start;
  spans[at + 1] = first;
  spans[at + 2] = first + 1;
  spans[at + 3] = last;
  spans[at + 4] = last === end ? end : last + 1;
  spans[at + 5] = end;
}

/** Split a request string the same way as requestSpans. */
export function splitRequest(request: string): { method: string; path: string; protocol: string } {
  const spans = new Int32Array(6);
  requestSpans(request, 0, request.length, spans, 0);
  return {
    method: request.slice(spans[0], spans[1]),
    path: request.slice(spans[2], spans[3]),
    protocol: request.slice(spans[4], spans[5]),
  };
}

/** Digits at text[start, end) as a number; -1 when empty, not all digits, or longer than 15 digits. */
export function digitsAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * A copy of a string that does not keep its parent alive. A slice of 13 or more characters is a
 * view into the string it was cut from (a whole read chunk, a megabyte): anything kept for long
 * (cache keys, top-K names) must be detached, or each entry would pin a chunk in memory.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}
