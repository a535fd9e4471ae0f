// The `w3c-csv` format: "remotehost","rfc931","authuser","date","request","status","bytes", date in epoch seconds.
import type { Fields } from "../core/record.js";
import {
  digitsAt,
  HIT,
  INVALID,
  requestSpans,
  SKIP,
  type LineFormat,
  type RequestHit,
  type ParsedLine,
  type ScanOutcome,
} from "./access.js";
import { CsvByteScanner, epochSeconds } from "./w3c-csv-bytes.js";

const QUOTE = 34;
const COMMA = 44;
const COLUMNS = 7;
const [HOST, IDENT, USER, DATE, REQUEST, STATUS, BYTES] = [0, 2, 4, 6, 8, 10, 12] as const;
const METHOD = 14; // method, path, protocol spans follow the columns

/** Scans one CSV line into column spans; quoted columns may hold commas and doubled quotes (""). */
export class CsvScanner {
  readonly spans = new Int32Array(20);
  /** Whether a quoted column held a doubled quote and needs unescaping when sliced (bit per column). */
  private escaped = 0;
  time = NaN;
  status = 0;
  bytes = 0;

  scan(text: string, start: number, end: number): ScanOutcome {
    this.escaped = 0;
    let i = start;
    for (let col = 0; col < COLUMNS; col++) {
      i = this.column(text, i, end, col);
      if (i < 0) return INVALID;
      const last = col === COLUMNS - 1;
      if (last ? i !== end : text.charCodeAt(i) !== COMMA) return INVALID;
      i++;
    }
    if (this.cut(text, HOST) === "remotehost") return SKIP; // the header line
    this.time = epochSeconds(text, this.spans[DATE] as number, this.spans[DATE + 1] as number);
    this.status = digitsAt(text, this.spans[STATUS] as number, this.spans[STATUS + 1] as number);
    this.bytes =
      this.cut(text, BYTES) === "-" ? 0 : digitsAt(text, this.spans[BYTES] as number, this.spans[BYTES + 1] as number);
    if (!Number.isFinite(this.time) || this.status < 0 || this.bytes < 0) return INVALID;
    requestSpans(text, this.spans[REQUEST] as number, this.spans[REQUEST + 1] as number, this.spans, METHOD);
    return HIT;
  }

  /** One column at text[i]: quoted or bare. Returns the index after it, or -1. */
  private column(text: string, i: number, end: number, col: number): number {
    const at = col * 2;
    if (i < end && text.charCodeAt(i) === QUOTE) {
      let close = text.indexOf('"', i + 1);
      while (close >= 0 && close < end - 1 && text.charCodeAt(close + 1) === QUOTE) {
        this.escaped |= 1 << col;
        close = text.indexOf('"', close + 2);
      }
      if (close < 0 || close >= end) return -1;
      this.spans[at] = i + 1;
      this.spans[at + 1] = close;
      return close + 1;
    }
    let comma = text.indexOf(",", i);
    if (comma < 0 || comma > end) comma = end;
    for (let k = i; k < comma; k++) if (text.charCodeAt(k) === QUOTE) return -1; // a stray quote in a bare column
    this.spans[at] = i;
    this.spans[at + 1] = comma;
    return comma;
  }

  /** Column or request part at `at`, unescaping doubled quotes when the column had them. */
  cut(text: string, at: number): string {
    const value = text.slice(this.spans[at], this.spans[at + 1]);
    const col = at < METHOD ? at / 2 : REQUEST / 2;
    return this.escaped & (1 << col) ? value.replaceAll('""', '"') : value;
  }

  fields(text: string, into: Fields): void {
    into.host = this.cut(text, HOST);
    into.ident = this.cut(text, IDENT);
    into.user = this.cut(text, USER);
    into.request = this.cut(text, REQUEST);
    into.method = this.cut(text, METHOD);
    into.path = this.cut(text, METHOD + 2);
    into.protocol = this.cut(text, METHOD + 4);
    into.status = this.status;
    into.bytes = this.bytes;
  }

  /** The hit of the last scanned line: host and path stay ranges of the text unless they need unescaping. */
  hit(text: string, hit: RequestHit): void {
    hit.time = this.time;
    if (this.escaped & (1 << (HOST / 2))) hit.setHost(this.cut(text, HOST));
    else hit.setHost(text, this.spans[HOST], this.spans[HOST + 1]);
    if (this.escaped & (1 << (REQUEST / 2))) hit.setPath(this.cut(text, METHOD + 2));
    else hit.setPath(text, this.spans[METHOD + 2], this.spans[METHOD + 3]);
    hit.status = this.status;
    hit.bytes = this.bytes;
  }
}

export function createW3cCsvFormat(): LineFormat & { readonly scanner: CsvScanner } {
  const scanner = new CsvScanner();
  const bytes = new CsvByteScanner();
  return {
    name: "w3c-csv",
    scanner,
    scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
      const outcome = scanner.scan(text, start, end);
      if (outcome === HIT) scanner.hit(text, hit);
      return outcome;
    },
    scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
      return bytes.scan(buf, start, end, hit);
    },
    parse(line: string, out: ParsedLine): ScanOutcome {
      const outcome = scanner.scan(line, 0, line.length);
      if (outcome === HIT) {
        scanner.fields(line, out.fields);
        out.time = scanner.time;
      }
      return outcome;
    },
  };
}
