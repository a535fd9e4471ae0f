// What the nats action publishes (pure): one JSON line per record of an event, within the server's size limit.
import type { LogEvent } from "../../core/event.js";
import { wireLines, type WireLine } from "../../core/wire.js";
import { renderSubject } from "./subject.js";

export interface OutMessage {
  subject: string;
  /** The line's JSON (one message alone, or one entry of a batch). */
  text: string;
  /** Its UTF-8 length. */
  bytes: number;
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

/** Room kept under max_payload for the headers (Nats-Msg-Id, expected stream, batch) and a batch's envelope. */
export const HEADER_ROOM = 1024;
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
  let text = JSON.stringify(body);
  let bytes = Buffer.byteLength(text);
  if (bytes <= limit) return { subject, text, bytes, truncated: false };
  let line = body.line;
  while (bytes > limit && line.length > 0) {
    line = cutUtf8(line, Math.max(0, Buffer.byteLength(line) - (bytes - limit) - 16));
    text = JSON.stringify({ ...body, line, truncated: true });
    bytes = Buffer.byteLength(text);
  }
  // Fields alone too big for a message: send the line without them rather than never.
  if (bytes > limit) {
    text = JSON.stringify({ ...body, line, fields: {}, truncated: true, fields_dropped: true });
    bytes = Buffer.byteLength(text);
  }
  return { subject, text, bytes, truncated: true };
}

/** The longest prefix of text that is at most maxBytes of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // back off continuation bytes
  return new TextDecoder().decode(bytes.subarray(0, end));
}
