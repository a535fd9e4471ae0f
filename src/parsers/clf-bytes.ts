// `common`/`combined` on the bytes of a line: ClfScanner's decisions made on UTF-8 bytes, so a replay decodes nothing.
import { HIT, INVALID, type RequestHit, type ScanOutcome } from "./access.js";
import { digitsIn, findIn, QUOTE, requestPathIn, SPACE } from "./bytes.js";
import { CLF_TIME_LENGTH, type ClfTimeCache } from "./clf-time.js";

const BACKSLASH = 92;
const DASH = 45;
// Offsets into spans (start, end pairs).
const HOST = 0;
const REQUEST = 2;
const PATH = 4;

/**
 * A port of ClfScanner.scan: every check at the same place in the same order. Structure (spaces,
 * quotes, brackets, digits) is ASCII, and no byte of a multi-byte UTF-8 character is ASCII, so each
 * decision on the bytes is the one the text scanner makes on the decoded line (clf.test.ts checks
 * it on random lines, damaged and non-ASCII ones included). Only host and path are kept, as byte
 * ranges; referer and agent are checked only when the format requires them.
 */
export class ClfByteScanner {
  private readonly spans = new Int32Array(6);
  private status = 0;
  private bytes = 0;

  constructor(private readonly times: ClfTimeCache) {}

  scan(buf: Buffer, start: number, end: number, requireExtras: boolean, hit: RequestHit): ScanOutcome {
    if (!this.valid(buf, start, end, requireExtras)) return INVALID;
    const s = this.spans;
    requestPathIn(buf, s[REQUEST]!, s[REQUEST + 1]!, s, PATH);
    hit.time = this.times.lastTime;
    hit.setHostBytes(buf, s[HOST]!, s[HOST + 1]!);
    hit.setPathBytes(buf, s[PATH]!, s[PATH + 1]!);
    hit.status = this.status;
    hit.bytes = this.bytes;
    return HIT;
  }

  private valid(buf: Buffer, start: number, end: number, requireExtras: boolean): boolean {
    let i = word(buf, start, end);
    this.spans[HOST] = start;
    this.spans[HOST + 1] = i - 1;
    if (i < 0 || (i = word(buf, i, end)) < 0 || (i = word(buf, i, end)) < 0) return false;
    if (buf[i] !== 91 || i + CLF_TIME_LENGTH + 3 >= end || buf[i + CLF_TIME_LENGTH + 1] !== 93) return false;
    if (buf[i + CLF_TIME_LENGTH + 2] !== SPACE) return false;
    if (!this.times.parseBytes(buf, i + 1)) return false;
    this.spans[REQUEST] = i + CLF_TIME_LENGTH + 4;
    i = quoted(buf, i + CLF_TIME_LENGTH + 3, end);
    this.spans[REQUEST + 1] = i - 1;
    if (i < 0 || buf[i] !== SPACE) return false;
    const statusEnd = i + 4;
    if (statusEnd >= end || buf[statusEnd] !== SPACE) return false;
    this.status = digitsIn(buf, i + 1, statusEnd);
    if (this.status < 0) return false;
    const bytesEnd = findIn(buf, SPACE, statusEnd + 1, end);
    const dash = bytesEnd === statusEnd + 2 && buf[statusEnd + 1] === DASH;
    this.bytes = dash ? 0 : digitsIn(buf, statusEnd + 1, bytesEnd);
    if (this.bytes < 0) return false;
    return !requireExtras || extras(buf, bytesEnd, end);
  }
}

/** After a non-empty run of non-spaces at buf[i] and the space ending it (before end), or -1. */
function word(buf: Buffer, i: number, end: number): number {
  const space = findIn(buf, SPACE, i, end);
  return space === i || space >= end ? -1 : space + 1;
}

/** After the quoted string (backslash escapes allowed) at buf[i], closed before end, or -1. */
function quoted(buf: Buffer, i: number, end: number): number {
  if (i >= end || buf[i] !== QUOTE) return -1;
  // indexOf is native: much faster than a loop over a long user agent.
  let close = buf.indexOf(QUOTE, i + 1);
  while (close >= 0 && close < end) {
    let slashes = 0;
    while (buf[close - 1 - slashes] === BACKSLASH && close - 1 - slashes > i) slashes++;
    if (slashes % 2 === 0) break;
    close = buf.indexOf(QUOTE, close + 1);
  }
  return close < 0 || close >= end ? -1 : close + 1;
}

/** ` "referer" "agent"` at buf[i], ending the line or followed by a space. */
function extras(buf: Buffer, i: number, end: number): boolean {
  if (i >= end || buf[i] !== SPACE) return false;
  i = quoted(buf, i + 1, end);
  if (i < 0 || i >= end || buf[i] !== SPACE) return false;
  i = quoted(buf, i + 1, end);
  return i >= 0 && (i === end || buf[i] === SPACE);
}
