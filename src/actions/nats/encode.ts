// What the nats action publishes (pure): one JSON message per record of an event, within the server's size limit.
import type { LogEvent } from "../../core/event.js";
import type { LogRecord } from "../../core/record.js";
import { renderSubject } from "./subject.js";

export interface OutMessage {
  subject: string;
  data: Uint8Array;
  /** The line was cut so the message fits the server's max_payload. */
  truncated: boolean;
}

export interface EncodeOptions {
  template: string;
  /** Host of this logward, for records that did not come with one (lines of local files). */
  hostname: string;
  /** Largest payload the server takes. */
  maxBytes: number;
}

/** Room kept under max_payload for the headers (Nats-Msg-Id, expected stream) published with each message. */
const HEADER_ROOM = 512;
const encoder = new TextEncoder();

/**
 * One message per record: {time, source, host, file, offset, line, fields, rule}. An event without
 * records (an alert, a stats report) is one message carrying its text as the line, plus kind and data.
 */
export function encodeEvent(event: LogEvent, options: EncodeOptions): OutMessage[] {
  if (event.records.length === 0) {
    const host = options.hostname;
    const body = {
      time: iso(event.time),
      source: event.source,
      host,
      line: event.message ?? "",
      fields: event.fields,
      rule: event.rule,
      kind: event.kind,
      count: event.count,
      ...(event.data ? { data: event.data } : {}),
    };
    return [
      encodeBody(
        body,
        renderSubject(options.template, { source: event.source, rule: event.rule, host }),
        options.maxBytes,
      ),
    ];
  }
  return event.records.map((record) => encodeRecord(record, event.rule, options));
}

function encodeRecord(record: LogRecord, rule: string, options: EncodeOptions): OutMessage {
  const host = record.host ?? options.hostname;
  const body = {
    time: iso(record.time),
    source: record.source,
    host,
    file: record.file,
    offset: record.offset,
    line: record.line,
    fields: record.fields,
    rule,
  };
  return encodeBody(body, renderSubject(options.template, { source: record.source, rule, host }), options.maxBytes);
}

/** JSON of body; when too big, its line is cut (by bytes, on a character boundary) until it fits, and marked. */
function encodeBody(body: { line: string; [key: string]: unknown }, subject: string, maxBytes: number): OutMessage {
  const limit = Math.max(1024, maxBytes - HEADER_ROOM);
  let data = encoder.encode(JSON.stringify(body));
  if (data.length <= limit) return { subject, data, truncated: false };
  let line = body.line;
  while (data.length > limit && line.length > 0) {
    line = cutUtf8(line, Math.max(0, encoder.encode(line).length - (data.length - limit) - 16));
    data = encoder.encode(JSON.stringify({ ...body, line, truncated: true }));
  }
  // Fields alone too big for a message: send the line without them rather than never.
  if (data.length > limit)
    data = encoder.encode(JSON.stringify({ ...body, line, fields: {}, truncated: true, fields_dropped: true }));
  return { subject, data, truncated: true };
}

/** The longest prefix of text that is at most maxBytes of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // back off continuation bytes
  return new TextDecoder().decode(bytes.subarray(0, end));
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}
