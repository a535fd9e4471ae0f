// What the nats action publishes (pure): one JSON line per record of an event, within the server's size limit.
import type { LogEvent } from "../../core/event.js";
import type { LogRecord } from "../../core/record.js";
import { wireLines, wireRecordJson, type WireLine } from "../../core/wire.js";
import { renderSubject } from "./subject.js";

export interface OutMessage {
  subject: string;
  /** The line's JSON (one message alone, or one entry of a batch). */
  text: string;
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
  if (event.records.length === 0) {
    const line = wireLines(event)[0] as WireLine;
    const body = { ...line, host: options.hostname, count: event.count };
    return [encodeBody(body, subjectOf(options.template, line.source, event.rule, body.host), options.maxBytes)];
  }
  const out: OutMessage[] = [];
  for (let i = 0; i < event.records.length; i++) out.push(encodeRecord(event, i, options, undefined));
  return out;
}

/** Record i of the event as encodeEvent gives it, written into `into` when given (no object per line then). */
export function encodeRecord(
  event: LogEvent,
  i: number,
  options: EncodeOptions,
  into: OutMessage | undefined,
): OutMessage {
  const record = event.records[i] as LogRecord;
  const host = record.host ?? options.hostname;
  const subject = subjectOf(options.template, record.source, event.rule, host);
  const text = wireRecordJson(event, i, hostJson(host));
  const limit = Math.max(1024, options.maxBytes - HEADER_ROOM);
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: most lines fit without counting their bytes.
  if (text.length * 3 <= limit || Buffer.byteLength(text) <= limit) {
    if (!into) return { subject, text, truncated: false };
    into.subject = subject;
    into.text = text;
    into.truncated = false;
    return into;
  }
  const cut = encodeBody({ ...(wireLines(event)[i] as WireLine), host }, subject, options.maxBytes);
  return into ? Object.assign(into, cut) : cut;
}

let lastHost: { host: string; json: string } = { host: "", json: ',"host":""' };

/** `,"host":"..."`: the key the wire line gets for the nats action, for the host of the last call. */
function hostJson(host: string): string {
  if (host !== lastHost.host) lastHost = { host, json: `,"host":${JSON.stringify(host)}` };
  return lastHost.json;
}

/** Rendered subjects, by template and values: most lines of an agent share a handful of them. */
const subjects = new Map<string, string>();
/** The last subject rendered and what it was rendered from: runs of lines share one. */
let last = { template: "", source: "", rule: "", host: "", subject: "" };

function subjectOf(template: string, source: string, rule: string, host: string): string {
  if (template === last.template && source === last.source && rule === last.rule && host === last.host)
    return last.subject;
  const key = `${template}\u0000${source}\u0000${rule}\u0000${host}`;
  let subject = subjects.get(key);
  if (subject === undefined) {
    if (subjects.size >= 4096) subjects.clear(); // bounded: values beyond that many are not worth keeping
    subject = renderSubject(template, { source, rule, host });
    subjects.set(key, subject);
  }
  last = { template, source, rule, host, subject };
  return subject;
}

/** JSON of body; when too big, its line is cut (by bytes, on a character boundary) until it fits, and marked. */
function encodeBody(body: WireLine & { host: string }, subject: string, maxBytes: number): OutMessage {
  const limit = Math.max(1024, maxBytes - HEADER_ROOM);
  let text = JSON.stringify(body);
  let bytes = Buffer.byteLength(text);
  if (bytes <= limit) return { subject, text, truncated: false };
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
  return { subject, text, truncated: true };
}

/** The longest prefix of text that is at most maxBytes of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // back off continuation bytes
  return new TextDecoder().decode(bytes.subarray(0, end));
}
