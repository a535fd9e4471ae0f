// The live stream's wire format: `lines` events, each carrying a batch of one source's lines, compact and resumable.
import type { Pattern } from "../core/pattern.js";
import type { HubLine } from "./hub.js";
import { sseFrame, type SseFrame } from "./sse.js";

/**
 * Most lines in one `lines` event. A browser pays per event (dispatch, JSON.parse), so lines travel in
 * batches; the cap keeps one frame to a few hundred KB, so a slow client loses part of a burst, not all.
 */
export const MAX_LINES_PER_EVENT = 500;

/**
 * One line of a `lines` event. `file` and `host` are sent when they differ from the line before in the
 * same event and hold for the lines after it (a file's path is not repeated on every line); `hl` is the
 * span of the filter's match.
 */
export interface WireLine {
  n: number;
  time: number;
  line: string;
  /** null: from here on, lines have no file (or host). */
  file?: string | null;
  host?: string | null;
  rules?: string[];
  hl?: [number, number];
}

/** `{"type":"lines","source":S,"lines":[...]}`; the SSE id is `EPOCH-N`, N the n of the last line it covers. */
export interface LinesEvent {
  type: "lines";
  source: string;
  lines: WireLine[];
}

/**
 * `lines` events for the lines that pass the filter, oldest first. An event's id is the n of the last
 * line it covers (matched or not), so Last-Event-ID resumes after it without re-sending what the filter
 * already skipped. Each event stands alone: one dropped under back-pressure leaves the next readable.
 */
export function lineFrames(
  source: string,
  lines: HubLine[],
  pattern: Pattern | undefined,
  epoch: string,
  maxPerEvent = MAX_LINES_PER_EVENT,
): SseFrame[] {
  const frames: SseFrame[] = [];
  let batch: WireLine[] = [];
  let file: string | undefined;
  let host: string | undefined;
  const emit = (lastN: number): void => {
    if (batch.length === 0) return;
    const event: LinesEvent = { type: "lines", source, lines: batch };
    frames.push({ text: sseFrame(event, `${epoch}-${lastN}`), lines: batch.length });
    batch = [];
    file = host = undefined;
  };
  let lastN = 0;
  for (const line of lines) {
    const hl = pattern ? matchSpan(line.line, pattern) : undefined;
    if (hl !== null) {
      if (batch.length >= maxPerEvent) emit(lastN); // full: it covers up to the line before this one
      const wire: WireLine = { n: line.n, time: line.time, line: line.line };
      if (line.file !== file) wire.file = (file = line.file) ?? null;
      if (line.host !== host) wire.host = (host = line.host) ?? null;
      if (line.rules) wire.rules = line.rules;
      if (hl) wire.hl = hl;
      batch.push(wire);
    }
    lastN = line.n;
  }
  emit(lastN);
  return frames;
}

/** null: no match; undefined: a match without a span to mark; else [start, end) of the match. */
function matchSpan(text: string, pattern: Pattern): [number, number] | undefined | null {
  const m = pattern.exec(text);
  if (!m) return null;
  const at = m.match ? text.indexOf(m.match) : -1;
  return at >= 0 ? [at, at + m.match.length] : undefined;
}

/** A line as a client reconstructs it: the hub's line (file and host carried over), plus hl. */
export type ExpandedLine = HubLine & { hl?: [number, number] };

/** The lines of an event with source, file and host filled in: the reference decoder of the format. */
export function expandLines(event: LinesEvent): ExpandedLine[] {
  let file: string | null = null;
  let host: string | null = null;
  return event.lines.map(({ file: f, host: h, ...rest }) => {
    if (f !== undefined) file = f;
    if (h !== undefined) host = h;
    const line: ExpandedLine = { ...rest, source: event.source };
    if (file !== null) line.file = file;
    if (host !== null) line.host = host;
    return line;
  });
}
