// The `common`/`combined` scan on the bytes of an ASCII line: the same decisions as ClfScanner, decoding only host and section.
import { HIT, INVALID, latin1, type AccessHit, type ByteScanner, type ScanOutcome } from "./access.js";
import { CLF_TIME_LENGTH, type ClfTimeCache } from "./clf-time.js";

const SPACE = 32;
const QUOTE = 34;
const SLASH = 47;
const BACKSLASH = 92;
const DASH = 45;

/**
 * A port of ClfScanner.scan to bytes (see clf.ts for the layout): every check is made at the same
 * place in the same order, so a line is valid here exactly when it is valid there (clf.test.ts
 * checks that on random lines). Positions of the request, referer and agent are not kept: only
 * their quoting decides validity. Indexes past a failed search are -1, as in the text scanner.
 */
export class ClfByteScanner implements ByteScanner {
  private hostStart = 0;
  private hostEnd = 0;
  private requestStart = 0;
  private requestEnd = 0;
  private status = 0;
  private bytes = 0;

  constructor(private readonly requireExtras: boolean, private readonly times: ClfTimeCache) {}

  scanBytes(buf: Buffer, start: number, end: number, hit: AccessHit): ScanOutcome {
    const time = this.scan(buf, start, end);
    if (time !== time) return INVALID; // NaN
    hit.time = time;
    hit.host = latin1(buf, this.hostStart, this.hostEnd);
    hit.path = this.section(buf);
    hit.status = this.status;
    hit.bytes = this.bytes;
    return HIT;
  }

  /** The line's time when it is valid, else NaN. */
  private scan(buf: Buffer, start: number, end: number): number {
    let i = wordEnd(buf, start, end);
    this.hostStart = start;
    this.hostEnd = i - 1;
    if (i < 0 || (i = wordEnd(buf, i, end)) < 0 || (i = wordEnd(buf, i, end)) < 0) return NaN;
    if (buf[i] !== 91 || i + CLF_TIME_LENGTH + 3 >= end || buf[i + CLF_TIME_LENGTH + 1] !== 93) return NaN;
    if (buf[i + CLF_TIME_LENGTH + 2] !== SPACE) return NaN;
    const time = this.times.parseBytes(buf, i + 1);
    if (time !== time) return NaN;
    this.requestStart = i + CLF_TIME_LENGTH + 4;
    i = quotedEnd(buf, i + CLF_TIME_LENGTH + 3, end);
    this.requestEnd = i - 1;
    if (i < 0 || i >= end || buf[i] !== SPACE) return NaN;
    const statusEnd = i + 4;
    if (statusEnd >= end || buf[statusEnd] !== SPACE) return NaN;
    this.status = digits(buf, i + 1, statusEnd);
    if (this.status < 0) return NaN;
    let bytesEnd = statusEnd + 1;
    while (bytesEnd < end && buf[bytesEnd] !== SPACE) bytesEnd++;
    const dash = bytesEnd === statusEnd + 2 && buf[statusEnd + 1] === DASH;
    this.bytes = dash ? 0 : digits(buf, statusEnd + 1, bytesEnd);
    if (this.bytes < 0) return NaN;
    if (this.requireExtras && !extrasAt(buf, bytesEnd, end)) return NaN;
    return time;
  }

  /**
   * The path of the request ("METHOD path PROTOCOL", split as requestSpans does), cut to its
   * section when it starts with "/" (sectionOf gives the same again); any other path whole.
   */
  private section(buf: Buffer): string {
    const start = this.requestStart;
    const end = this.requestEnd;
    let first = start;
    while (first < end && buf[first] !== SPACE) first++;
    if (first >= end) return "";
    let last = end - 1;
    while (buf[last] !== SPACE) last--;
    if (last === first) last = end;
    const path = first + 1;
    if (path >= last || buf[path] !== SLASH) return latin1(buf, path, last);
    for (let i = path + 1; i < last; i++) {
      const c = buf[i];
      if (c === SLASH || c === 63 || c === 35) return latin1(buf, path, i === path + 1 && c === SLASH ? path + 1 : i);
    }
    return latin1(buf, path, last);
  }
}

/** After a non-empty run of non-spaces at buf[i] and the space ending it (before end), or -1. */
function wordEnd(buf: Buffer, i: number, end: number): number {
  let space = i;
  while (space < end && buf[space] !== SPACE) space++;
  return space === i || space >= end ? -1 : space + 1;
}

/** After the quoted string (backslash escapes allowed) at buf[i], closed before end, or -1. */
function quotedEnd(buf: Buffer, i: number, end: number): number {
  if (i >= end || buf[i] !== QUOTE) return -1;
  for (let close = i + 1; close < end; close++) {
    if (buf[close] !== QUOTE) continue;
    let slashes = 0;
    while (buf[close - 1 - slashes] === BACKSLASH && close - 1 - slashes > i) slashes++;
    if (slashes % 2 === 0) return close + 1;
  }
  return -1;
}

/** ` "referer" "agent"` at buf[i], ending the line or followed by a space. */
function extrasAt(buf: Buffer, i: number, end: number): boolean {
  if (i >= end || buf[i] !== SPACE) return false;
  i = quotedEnd(buf, i + 1, end);
  if (i < 0 || i >= end || buf[i] !== SPACE) return false;
  i = quotedEnd(buf, i + 1, end);
  return i >= 0 && (i === end || buf[i] === SPACE);
}

/** Digits at buf[start, end) as a number; -1 when empty, not all digits, or longer than 15 digits (as digitsAt). */
function digits(buf: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
