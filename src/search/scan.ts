// Searching files line by line, streaming: literal prefilter on the bytes, the pattern on the candidates, time bounds.
import type { Parser } from "../core/component.js";
import type { Literal } from "../core/literals.js";
import type { Pattern } from "../core/pattern.js";
import type { Fields } from "../core/record.js";
import { LineSplitter, Multiline, type RawLine } from "../sources/lines/index.js";
import { NeedleCache } from "../sources/file/needle.js";
import type { SearchFile } from "./archives.js";
import { openForSearch, READ_CHUNK } from "./open.js";

/** Which lines of a batch match: in place (a trusted pattern) or in a worker under a budget (a client's). */
export interface BatchMatcher {
  /** Literals of which every matching line holds one (the rules' prefilter); undefined: every line is tested. */
  readonly literals: readonly Literal[] | undefined;
  test(lines: readonly string[]): boolean[] | Promise<boolean[]>;
}

export interface ScanOptions {
  matcher: BatchMatcher;
  /** Lines outside [since, until] (ms, by the parser's time) are left out; a line without a time takes the last. */
  since?: number;
  until?: number;
  parser?: Parser;
  /** Joins continuation lines to the event they belong to (the source's multiline). */
  multiline?: Pattern;
  /** Longer lines are cut and marked, as a file source cuts them. */
  maxLineBytes: number;
  /** Stop after this many matches. */
  limit?: number;
  /** Stop after this many (decompressed) bytes in all. */
  maxBytes?: number;
  /** Stop when aborted (a deadline). */
  signal?: AbortSignal;
  /** The name records carry (a configured source's, or "search"). */
  source: string;
}

export interface SearchHit {
  file: string;
  /** Byte offset of the line in the (decompressed) file. */
  offset: number;
  line: string;
  /** The parsed time, when a parser found one (else undefined). */
  time: number | undefined;
  fields: Fields;
}

export interface FileOutcome {
  path: string;
  matches: number;
  /** Why reading stopped early (a corrupt or truncated archive, a read error): lines before it were searched. */
  error?: string;
  /** Why the file was not read at all (no decompressor for its format). */
  skipped?: string;
}

export interface SearchSummary {
  matches: number;
  bytes: number;
  files: FileOutcome[];
  /** Set when the search ended before the last file's end. */
  stopped?: "limit" | "bytes" | "deadline";
}

type OnHit = (hit: SearchHit) => void | Promise<void>;

/** Search the files in order; each match goes to onHit (awaited: the caller's output paces the reading). */
export async function searchFiles(files: readonly SearchFile[], options: ScanOptions, onHit: OnHit) {
  const summary: SearchSummary = { matches: 0, bytes: 0, files: [] };
  for (const file of files) {
    if (summary.stopped) break;
    const outcome: FileOutcome = { path: file.path, matches: 0 };
    summary.files.push(outcome);
    await new FileScan(file, options, summary, outcome, onHit).run();
  }
  return summary;
}

class FileScan {
  private readonly splitter: LineSplitter;
  private readonly multiline: Multiline | undefined;
  private readonly timed: boolean;
  private lastTime: number | undefined;
  private readonly needles = new NeedleCache();

  constructor(
    private readonly file: SearchFile,
    private readonly options: ScanOptions,
    private readonly summary: SearchSummary,
    private readonly outcome: FileOutcome,
    private readonly onHit: OnHit,
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes);
    this.multiline = options.multiline ? new Multiline(options.multiline, options.maxLineBytes) : undefined;
    this.timed = options.parser !== undefined && (options.since !== undefined || options.until !== undefined);
  }

  async run(): Promise<void> {
    const opened = openForSearch(this.file.path, this.file.compression);
    if ("unsupported" in opened) {
      this.outcome.skipped = opened.unsupported;
      return;
    }
    // Byte prefilter only where every line need not be seen: events, and times carried from line to line, need all.
    const selective = !this.multiline && !this.timed && this.options.maxLineBytes >= READ_CHUNK;
    const needles = selective ? this.needles.of(this.options.matcher.literals) : undefined;
    // A read error (a corrupt archive) ends this file; a matcher's error (a pattern over budget) ends the search.
    let failure: { err: unknown } | undefined;
    try {
      for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
        this.summary.bytes += chunk.length;
        failure = await this.take(this.splitter.push(chunk, needles)).then(
          () => undefined,
          (err: unknown) => ({ err }),
        );
        if (failure || this.checkStop()) break;
      }
    } catch (err) {
      this.outcome.error = (err as Error).message;
    } finally {
      opened.close();
    }
    if (failure) throw failure.err;
    if (this.summary.stopped) return;
    // The last line without a newline; not the fragment an error cut (its end is lost, its text may be garbage).
    const last = this.outcome.error === undefined ? this.splitter.flush() : undefined;
    await this.take(last ? [last] : []);
    const event = this.multiline?.flush();
    if (event) await this.test([event]);
  }

  private checkStop(): boolean {
    const { limit, maxBytes, signal } = this.options;
    if (signal?.aborted) this.summary.stopped = "deadline";
    else if (limit !== undefined && this.summary.matches >= limit) this.summary.stopped = "limit";
    else if (maxBytes !== undefined && this.summary.bytes >= maxBytes) this.summary.stopped = "bytes";
    return this.summary.stopped !== undefined;
  }

  private async take(lines: RawLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.test(this.multiline ? this.multiline.push(lines) : lines);
  }

  /** Time bounds first (cheap once parsed), then the pattern on what is left, then each match in order. */
  private async test(lines: RawLine[]): Promise<void> {
    const inRange = this.timed ? lines.filter((line) => this.withinBounds(line)) : lines;
    if (inRange.length === 0) return;
    const verdicts = await this.options.matcher.test(inRange.map((l) => l.text));
    for (let i = 0; i < inRange.length; i++) {
      if (!verdicts[i]) continue;
      const { limit } = this.options;
      if (limit !== undefined && this.summary.matches >= limit) return;
      const line = inRange[i] as RawLine;
      this.summary.matches++;
      this.outcome.matches++;
      await this.onHit({ file: this.file.path, offset: line.offset, line: line.text, ...this.parse(line.text) });
    }
  }

  private withinBounds(line: RawLine): boolean {
    const { time } = this.parse(line.text);
    if (time !== undefined) this.lastTime = time;
    const t = time ?? this.lastTime;
    if (t === undefined) return false; // before the first timestamp: not known to be in range
    return (
      !(this.options.since !== undefined && t < this.options.since) &&
      !(this.options.until !== undefined && t > this.options.until)
    );
  }

  private parse(text: string): { time: number | undefined; fields: Fields } {
    const parser = this.options.parser;
    if (!parser) return { time: undefined, fields: {} };
    const record = { source: this.options.source, line: text, time: NaN, fields: {} as Fields };
    parser.parse(record);
    if (!Number.isFinite(record.time) && text.includes("\n")) {
      // A multiline event (a line and its stack trace) is timed by its first line, which a format can read.
      const first = { ...record, line: text.slice(0, text.indexOf("\n")), fields: {} as Fields };
      if (parser.parse(first))
        return { time: Number.isFinite(first.time) ? first.time : undefined, fields: first.fields };
    }
    return { time: Number.isFinite(record.time) ? record.time : undefined, fields: record.fields };
  }
}
