// `w3c-csv` on the bytes of a line: CsvScanner's decisions made on UTF-8 bytes, so a replay decodes nothing.
import { digitsAt, HIT, INVALID, SKIP, type RequestHit, type ScanOutcome } from "./access.js";
import { bytesEqual, digitsIn, findIn, QUOTE, requestPathIn } from "./bytes.js";

const COMMA = 44;
const DOT = 46;
const COLUMNS = 7;
const [HOST, , , DATE, REQUEST, STATUS, BYTES] = [0, 2, 4, 6, 8, 10, 12] as const;
const PATH = 14;

/**
 * A port of CsvScanner.scan (same checks, same order; commas and quotes are ASCII, so each decision
 * is the one the text scanner makes on the decoded line). Host and path stay byte ranges unless
 * their column held a doubled quote, which is unescaped into a string as `cut` does.
 */
export class CsvByteScanner {
  private readonly spans = new Int32Array(16);
  private escaped = 0;
  /** The date of the last line in ms (a field: a returned double is a new heap number per line). */
  private time = NaN;

  scan(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
    this.escaped = 0;
    let i = start;
    for (let col = 0; col < COLUMNS; col++) {
      i = this.column(buf, i, end, col);
      if (i < 0) return INVALID;
      if (col === COLUMNS - 1 ? i !== end : buf[i] !== COMMA) return INVALID;
      i++;
    }
    const s = this.spans;
    // The header line (an escaped column cannot equal it).
    if (bytesEqual(buf, s[HOST]!, s[HOST + 1]!, "remotehost")) return SKIP;
    this.epochMs(buf, s[DATE]!, s[DATE + 1]!);
    const time = this.time;
    const status = digitsIn(buf, s[STATUS]!, s[STATUS + 1]!);
    const bytes = bytesEqual(buf, s[BYTES]!, s[BYTES + 1]!, "-") ? 0 : digitsIn(buf, s[BYTES]!, s[BYTES + 1]!);
    if (!Number.isFinite(time) || status < 0 || bytes < 0) return INVALID;
    requestPathIn(buf, s[REQUEST]!, s[REQUEST + 1]!, s, PATH);
    hit.time = time;
    if (this.escaped & (1 << (HOST / 2))) hit.setHost(unescaped(buf, s[HOST]!, s[HOST + 1]!));
    else hit.setHostBytes(buf, s[HOST]!, s[HOST + 1]!);
    if (this.escaped & (1 << (REQUEST / 2))) hit.setPath(unescaped(buf, s[PATH]!, s[PATH + 1]!));
    else hit.setPathBytes(buf, s[PATH]!, s[PATH + 1]!);
    hit.status = status;
    hit.bytes = bytes;
    return HIT;
  }

  /** epochSeconds of the date's bytes into `time`: digits without a dot read in place, a fraction (rare) as text. */
  private epochMs(buf: Buffer, start: number, end: number): void {
    if (findIn(buf, DOT, start, end) >= end) {
      const seconds = digitsIn(buf, start, end);
      this.time = seconds < 0 ? NaN : seconds * 1000;
      return;
    }
    const text = buf.toString("latin1", start, end);
    this.time = epochSeconds(text, 0, text.length);
  }

  /** One column at buf[i]: quoted or bare. Returns the index after it, or -1. */
  private column(buf: Buffer, i: number, end: number, col: number): number {
    const at = col * 2;
    if (i < end && buf[i] === QUOTE) {
      let close = findIn(buf, QUOTE, i + 1, end);
      while (close < end - 1 && buf[close + 1] === QUOTE) {
        this.escaped |= 1 << col;
        close = findIn(buf, QUOTE, close + 2, end);
      }
      if (close >= end) return -1;
      this.spans[at] = i + 1;
      this.spans[at + 1] = close;
      return close + 1;
    }
    const comma = findIn(buf, COMMA, i, end);
    if (findIn(buf, QUOTE, i, comma) < comma) return -1; // a stray quote in a bare column
    this.spans[at] = i;
    this.spans[at + 1] = comma;
    return comma;
  }
}

function unescaped(buf: Buffer, start: number, end: number): string {
  return buf.toString("utf8", start, end).replaceAll('""', '"');
}

/** Epoch seconds (optionally with a fraction) at text[start, end) as ms, NaN when not a number. */
export function epochSeconds(text: string, start: number, end: number): number {
  const dot = text.indexOf(".", start);
  if (dot < 0 || dot >= end) {
    const s = digitsAt(text, start, end);
    return s < 0 ? NaN : s * 1000;
  }
  const whole = digitsAt(text, start, dot);
  const fraction = text.slice(dot + 1, end);
  if (whole < 0 || !/^\d{1,9}$/.test(fraction)) return NaN;
  return Math.round((whole + Number(`0.${fraction}`)) * 1000);
}
