// What the nats action publishes (pure): one JSON message per record of an event, within the server's size limit.
import type { LogEvent } from "../../core/event.js";
import { wireLines, type WireLine } from "../../core/wire.js";
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
 * One message per line of the event's wire form ({time, source, file, offset, line, rule, fields}) plus the
 * host it came from. An event without records (an alert, a stats report) is one message carrying its text as
 * the line, plus kind, data and count.
 */
export function encodeEvent(event: LogEvent, options: EncodeOptions): OutMessage[] {
  return wireLines(event).map((line, i) => {
    const host = event.records[i]?.host ?? options.hostname;
    const body: WireLine & { host: string; count?: number } = { ...line, host };
    if (event.records.length === 0) body.count = event.count;
    const subject = renderSubject(options.template, { source: line.source, rule: event.rule, host });
    return encodeBody(body, subject, options.maxBytes);
  });
}

/** JSON of body; when too big, its line is cut (by bytes, on a character boundary) until it fits, and marked. */
function encodeBody(body: WireLine & { host: string }, subject: string, maxBytes: number): OutMessage {
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
