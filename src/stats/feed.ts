// Feeds lines to the analyzer: whole chunks of bytes (the fast path: no string per line) or records.
import type { LogRecord } from "../core/record.js";
import { HIT, INVALID, newHit, type LineFormat, type ScanOutcome } from "../parsers/access.js";
import type { TrafficAnalyzer } from "./analyzer.js";

const CR = 13;
const NEWLINE = 10;

export class LineFeeder {
  private readonly hit = newHit();
  /** Non-blank lines seen. */
  lines = 0;

  constructor(
    private readonly format: LineFormat,
    private readonly analyzer: TrafficAnalyzer,
  ) {}

  /**
   * Complete lines as UTF-8 bytes separated by "\n" (a trailing "\r" is dropped, blank lines are
   * ignored), each scanned in place (formats that read only text decode it). Lines without a
   * timestamp get `fallbackTime` (the read time when live; NaN in replay: they are invalid).
   */
  pushBytes(buf: Buffer, fallbackTime: number): void {
    const length = buf.length;
    const format = this.format;
    let start = 0;
    while (start < length) {
      let newline = buf.indexOf(NEWLINE, start);
      if (newline < 0) newline = length;
      let end = newline;
      if (end > start && buf[end - 1] === CR) end--;
      if (end > start) {
        this.lines++;
        this.count(format.scanBytes(buf, start, end, this.hit), fallbackTime);
      }
      start = newline + 1;
    }
  }

  pushRecords(records: LogRecord[]): void {
    for (const record of records) {
      const line = record.line;
      let end = line.length;
      if (end > 0 && line.charCodeAt(end - 1) === CR) end--;
      if (end > 0) this.line(line, 0, end, record.time);
    }
  }

  private line(text: string, start: number, end: number, fallbackTime: number): void {
    this.lines++;
    this.count(this.format.scan(text, start, end, this.hit), fallbackTime);
  }

  private count(outcome: ScanOutcome, fallbackTime: number): void {
    if (outcome === HIT) {
      if (this.hit.time !== this.hit.time) this.hit.time = fallbackTime; // NaN: the line had no timestamp
      this.analyzer.add(this.hit);
    } else if (outcome === INVALID) {
      this.analyzer.invalid();
    }
  }
}
