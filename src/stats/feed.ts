// Feeds lines to the analyzer: whole chunks of bytes or text (fast paths, no string per line) or records.
import { isAscii } from "node:buffer";
import type { LogRecord } from "../core/record.js";
import { HIT, INVALID, newHit, type AccessFormat, type ByteScanner, type ScanOutcome } from "../parsers/access.js";
import type { TrafficAnalyzer } from "./analyzer.js";
import { decodePieces, PIECE_BYTES } from "./input.js";

const CR = 13;
const NEWLINE = 10;

export class LineFeeder {
  private readonly hit = newHit();
  /** Non-blank lines seen. */
  lines = 0;

  constructor(private readonly format: AccessFormat, private readonly analyzer: TrafficAnalyzer) {}

  /**
   * Complete lines separated by "\n" (a trailing "\r" is dropped, blank lines are ignored). Lines
   * without a timestamp get `fallbackTime` (the read time when live; NaN in replay: they are invalid).
   */
  pushText(text: string, fallbackTime: number): void {
    const length = text.length;
    let start = 0;
    while (start < length) {
      let newline = text.indexOf("\n", start);
      if (newline < 0) newline = length;
      let end = newline;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      if (end > start) this.line(text, start, end, fallbackTime);
      start = newline + 1;
    }
  }

  /**
   * The same for lines held as bytes. With a format that scans bytes (common, combined, auto once it
   * chose one of them), an ASCII line is scanned in place and only what analytics keeps is decoded;
   * a line with other bytes is decoded as UTF-8 and takes the text path. Otherwise the bytes are
   * decoded in pieces and go to pushText.
   */
  pushBytes(buf: Buffer, fallbackTime: number): void {
    const scanner = this.format.byteScanner?.();
    if (!scanner) {
      const texts: string[] = [];
      decodePieces(buf, PIECE_BYTES, texts);
      for (const text of texts) this.pushText(text, fallbackTime);
      return;
    }
    const ascii = isAscii(buf);
    const length = buf.length;
    let start = 0;
    while (start < length) {
      let newline = buf.indexOf(NEWLINE, start);
      if (newline < 0) newline = length;
      let end = newline;
      if (end > start && buf[end - 1] === CR) end--;
      if (end > start) {
        if (ascii || isAscii(buf.subarray(start, end))) this.byteLine(scanner, buf, start, end, fallbackTime);
        else this.textLine(buf.toString("utf8", start, end), fallbackTime);
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

  private textLine(text: string, fallbackTime: number): void {
    this.line(text, 0, text.length, fallbackTime);
  }

  private byteLine(scanner: ByteScanner, buf: Buffer, start: number, end: number, fallbackTime: number): void {
    this.lines++;
    this.count(scanner.scanBytes(buf, start, end, this.hit), fallbackTime);
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
