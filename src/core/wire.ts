// The wire form of an event — the one JSON shape every action and tool writes — and ISO time text for it.
//
// A line on the wire is `{"time","source","file","offset","line","rule","fields"}` (the file action's documented
// form, also the console's json format, each NATS message, each dead letter's records). An event without records
// (an alert, a stats report) is one line whose `line` is its message, with its `kind` (and `data`).
//
// An invalid time (NaN, beyond year 275760) has ONE answer: isoTime returns null. JSON carries it as null; text for
// people shows it as `-` (timeText); an exec command's LOGWARD_TIME is then empty.
import type { LogEvent } from "./event.js";
import { NO_FIELDS, type Fields, type LogRecord } from "./record.js";

/** One line of the wire form. */
export interface WireLine {
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

/** An event's own description, without its lines: what webhooks and dead letters put around them. */
export interface WireEvent {
  kind: string;
  rule: string;
  source: string;
  time: string | null;
  count: number;
  suppressed: number;
  match?: string;
  message?: string;
  /** "firing" or "recovered", for an absence. */
  state?: string;
  fields: Fields;
  data?: Record<string, unknown>;
}

/**
 * The lines of one event: one per record, or for an event without records one line whose `line` is the
 * message, with its `kind`. The event's fields (named groups merged over parsed fields) belong to its
 * triggering, last record; earlier records carry their own.
 */
export function wireLines(event: LogEvent): WireLine[] {
  if (event.records.length === 0) return [messageLine(event)];
  const last = event.records.length - 1;
  return event.records.map((record, i) => recordLine(event.rule, record, i === last ? event.fields : record.fields));
}

/** The event as newline-terminated JSON lines: exactly JSON.stringify of each of wireLines(event), built faster. */
export function wireJson(event: LogEvent): string {
  if (event.records.length === 0) return `${JSON.stringify(messageLine(event))}\n`;
  const last = event.records.length - 1;
  let text = "";
  for (let i = 0; i <= last; i++) {
    const record = event.records[i] as LogRecord;
    text += recordJson(event.rule, record, i === last ? event.fields : record.fields, "}\n");
  }
  return text;
}

/**
 * Record i's line of wireJson(event) without its newline, `extra` (more `,"key":value` pairs, already JSON) put
 * before its closing brace: what the nats action publishes, built in one go instead of cut out of wireJson.
 */
export function wireRecordJson(event: LogEvent, i: number, extra = ""): string {
  const record = event.records[i] as LogRecord;
  const fields = i === event.records.length - 1 ? event.fields : record.fields;
  return recordJson(event.rule, record, fields, `${extra}}`);
}

/** The event's description: kind, rule, source, time, count, suppressed, match, message, fields, data. */
export function wireEvent(event: LogEvent): WireEvent {
  return {
    kind: event.kind,
    rule: event.rule,
    source: event.source,
    time: isoTime(event.time),
    count: event.count,
    suppressed: event.suppressed,
    ...(event.match !== undefined ? { match: event.match } : {}),
    ...(event.message !== undefined ? { message: event.message } : {}),
    ...(event.state !== undefined ? { state: event.state } : {}),
    fields: event.fields,
    ...(event.data !== undefined ? { data: event.data } : {}),
  };
}

function messageLine(event: LogEvent): WireLine {
  const line: WireLine = {
    time: isoTime(event.time),
    source: event.source,
    line: event.message ?? "",
    rule: event.rule,
    kind: event.kind,
    fields: event.fields,
  };
  if (event.data !== undefined) line.data = event.data;
  return line;
}

function recordLine(rule: string, record: LogRecord, fields: Fields): WireLine {
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

/**
 * One record's line with recordLine's keys in its order (catching up writes thousands of these a second): one
 * concatenation whose only JSON.stringify calls are the line's and non-empty fields', the pieces that vary.
 */
function recordJson(rule: string, record: LogRecord, fields: Fields, close: string): string {
  const time = isoTime(record.time);
  const file = record.file;
  const offset = record.offset;
  return (
    (time === null ? '{"time":null,"source":' : '{"time":"' + time + '","source":') +
    sourceJson.of(record.source) +
    (file == null ? ',"file":null,"offset":' : ',"file":' + fileJson.of(file) + ',"offset":') +
    // JSON has no NaN or Infinity: JSON.stringify writes null for them.
    (offset == null || !Number.isFinite(offset) ? "null" : String(offset)) +
    ',"line":' +
    JSON.stringify(record.line) +
    ',"rule":' +
    ruleJson.of(rule) +
    ',"fields":' +
    (isEmpty(fields) ? "{}" : JSON.stringify(fields)) +
    close
  );
}

/** No own enumerable key: a rule without named groups on a source without a parser, the usual match. */
export function isEmpty(fields: Fields): boolean {
  if (fields === NO_FIELDS) return true; // most records' (a source's unparsed lines)
  for (const _ in fields) return false;
  return true;
}

/** The JSON of the last string given: a run of records shares its source, file and rule. */
class LastJson {
  private text: string | undefined;
  private json = "";

  of(text: string): string {
    if (text !== this.text) {
      this.json = JSON.stringify(text);
      this.text = text;
    }
    return this.json;
  }
}

const sourceJson = new LastJson();
const fileJson = new LastJson();
const ruleJson = new LastJson();

/** The ISO text of the last whole second formatted, up to and including its dot: events come many per second. */
let second = { at: NaN, prefix: "" };

/** ISO 8601 in UTC (as Date#toISOString), or null for a time that is not a valid date. */
export function isoTime(ms: number): string | null {
  // Years 1970–9999 and whole milliseconds have the fixed layout YYYY-MM-DDTHH:MM:SS.mmmZ; anything else is rare.
  if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return isoOf(ms);
  const at = Math.floor(ms / 1000);
  if (at !== second.at) second = { at, prefix: new Date(at * 1000).toISOString().slice(0, 20) };
  const milli = ms - at * 1000;
  return `${second.prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** The time as people read it: isoTime, or `-` for a time that is not a valid date. */
export function timeText(ms: number): string {
  return isoTime(ms) ?? "-";
}

function isoOf(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
