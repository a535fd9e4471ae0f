// The live stream's wire format: `lines` events, each carrying a batch of lines, compact and resumable.
import type { Span } from "../core/untrusted-pattern.js";
import type { Feed, HubLine } from "./hub.js";
import { sseFrame, type SseFrame } from "./sse.js";

/**
 * Most lines in one `lines` event. A browser pays per event (dispatch, JSON.parse), so lines travel in
 * batches; the cap keeps one frame to a few hundred KB, so a slow client loses part of a burst, not all.
 */
export const MAX_LINES_PER_EVENT = 500;
/** Most characters of line text in one event: a few long lines make an event of their own. */
export const MAX_CHARS_PER_EVENT = 1024 * 1024;

/**
 * One line of a `lines` event. `file` and `host` are sent when they differ from the line before in the
 * same event and hold for the lines after it (a file's path is not repeated on every line); `hl` is the
 * span of the filter's match.
 */
export interface WireLine {
  /** The stream's sequence number: the source's n, or the hub-wide g in a stream of every source. */
  n: number;
  /** In a stream of every source: the line's source, sent (like file and host) when it changes. */
  source?: string;
  time: number;
  line: string;
  /** null: from here on, lines have no file (or host). */
  file?: string | null;
  host?: string | null;
  rules?: string[];
  hl?: [number, number];
  /** The line was cut for display: its whole length in characters. */
  cut?: number;
}

/**
 * `{"type":"lines","source":S,"lines":[...]}`, or `{"type":"lines","source":null,...}` for every source (each line
 * then says its source); the SSE id is `EPOCH-N`, N the sequence number of the last line it covers.
 */
export interface LinesEvent {
  type: "lines";
  source: string | null;
  lines: WireLine[];
}

/**
 * `lines` events for the lines that pass the filter (spans[i] is the match of lines[i], null for none; no
 * spans: every line), oldest first. An event's id is the n of the last
 * line it covers (matched or not), so Last-Event-ID resumes after it without re-sending what the filter
 * already skipped. Each event stands alone: one dropped under back-pressure leaves the next readable.
 */
export function lineFrames(
  source: Feed,
  lines: HubLine[],
  spans: readonly Span[] | undefined,
  epoch: string,
  maxPerEvent = MAX_LINES_PER_EVENT,
  maxCharsPerEvent = MAX_CHARS_PER_EVENT,
): SseFrame[] {
  const frames: SseFrame[] = [];
  let batch: WireLine[] = [];
  let chars = 0;
  let file: string | undefined;
  let host: string | undefined;
  let from: string | undefined;
  const seq = source === null ? (line: HubLine) => line.g : (line: HubLine) => line.n;
  const emit = (lastN: number): void => {
    if (batch.length === 0) return;
    const event: LinesEvent = { type: "lines", source, lines: batch };
    frames.push({ text: sseFrame(event, `${epoch}-${lastN}`), lines: batch.length });
    batch = [];
    chars = 0;
    file = host = from = undefined;
  };
  let lastN = 0;
  lines.forEach((line, i) => {
    const span = spans ? spans[i] : undefined;
    if (span !== null) {
      // Full: it covers up to the line before this one.
      if (batch.length >= maxPerEvent || (batch.length > 0 && chars + line.line.length > maxCharsPerEvent)) emit(lastN);
      const wire: WireLine = { n: seq(line), time: line.time, line: line.line };
      if (source === null && line.source !== from) wire.source = from = line.source;
      if (line.file !== file) wire.file = (file = line.file) ?? null;
      if (line.host !== host) wire.host = (host = line.host) ?? null;
      if (line.rules) wire.rules = line.rules;
      if (span && span[1] > span[0]) wire.hl = span;
      if (line.cut !== undefined) wire.cut = line.cut;
      batch.push(wire);
      chars += line.line.length;
    }
    lastN = seq(line);
  });
  emit(lastN);
  return frames;
}

/** A line as a client reconstructs it: the hub's line (file, host, source carried over), n the stream's, plus hl. */
export type ExpandedLine = Omit<HubLine, "g"> & { hl?: [number, number] };

/** The lines of an event with source, file and host filled in: the reference decoder of the format. */
export function expandLines(event: LinesEvent): ExpandedLine[] {
  let file: string | null = null;
  let host: string | null = null;
  let source = event.source ?? "";
  return event.lines.map(({ file: f, host: h, source: s, ...rest }) => {
    if (f !== undefined) file = f;
    if (h !== undefined) host = h;
    if (s !== undefined) source = s;
    const line: ExpandedLine = { ...rest, source };
    if (file !== null) line.file = file;
    if (host !== null) line.host = host;
    return line;
  });
}
