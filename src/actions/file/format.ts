// The JSON shape of events written by the file action (and the console's json format): one object per line.
import type { LogEvent } from "../../core/event.js";
import type { Fields, LogRecord } from "../../core/record.js";

/** One line of the file action's output. */
export interface EventLine {
  time: string | null;
  source: string;
  file?: string | null;
  offset?: number | null;
  line: string;
  rule: string;
  kind?: string;
  fields: Fields;
  data?: Record<string, unknown>;
}

/**
 * The objects for one event: one per record (`time, source, file, offset, line, rule, fields`), or for an
 * event without records (alerts, stats) one object whose `line` is the message, with its `kind`.
 */
export function eventLines(event: LogEvent): EventLine[] {
  if (event.records.length === 0) {
    const line: EventLine = {
      time: isoTime(event.time),
      source: event.source,
      line: event.message ?? "",
      rule: event.rule,
      kind: event.kind,
      fields: event.fields,
    };
    if (event.data !== undefined) line.data = event.data;
    return [line];
  }
  const last = event.records.length - 1;
  // The event's fields (named groups merged over parsed fields) belong to its triggering, last record.
  return event.records.map((record, i) => recordLine(event.rule, record, i === last ? event.fields : record.fields));
}

function recordLine(rule: string, record: LogRecord, fields: Fields): EventLine {
  return {
    time: isoTime(record.time),
    source: record.source,
    file: record.file ?? null,
    offset: record.offset ?? null,
    line: record.line,
    rule,
    fields,
  };
}

/** The ISO text of the last whole second formatted, up to and including its dot: events come many per second. */
let second = { at: NaN, prefix: "" };

/** ISO 8601 in UTC, or null for a time that is not a valid date. */
export function isoTime(ms: number): string | null {
  // Years 1970–9999 and whole milliseconds have the fixed layout YYYY-MM-DDTHH:MM:SS.mmmZ; anything else is rare.
  if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return isoOf(ms);
  const at = Math.floor(ms / 1000);
  if (at !== second.at) second = { at, prefix: new Date(at * 1000).toISOString().slice(0, 20) };
  const milli = ms - at * 1000;
  return `${second.prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

function isoOf(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The event as newline-terminated JSON lines: JSON.stringify(eventLines(event)), without building the objects. */
export function eventJson(event: LogEvent): string {
  if (event.records.length === 0) return `${JSON.stringify(eventLines(event)[0])}\n`;
  const last = event.records.length - 1;
  let text = "";
  for (let i = 0; i <= last; i++) {
    const record = event.records[i] as LogRecord;
    text += recordJson(event.rule, record, i === last ? event.fields : record.fields);
  }
  return text;
}

/** One record's line with recordLine's keys in its order (catching up writes thousands of these a second). */
function recordJson(rule: string, record: LogRecord, fields: Fields): string {
  const time = isoTime(record.time);
  return `{"time":${time === null ? "null" : `"${time}"`},"source":${JSON.stringify(record.source)},"file":${JSON.stringify(record.file ?? null)},"offset":${JSON.stringify(record.offset ?? null)},"line":${JSON.stringify(record.line)},"rule":${JSON.stringify(rule)},"fields":${JSON.stringify(fields)}}\n`;
}
