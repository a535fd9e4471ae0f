// What the nats source makes of a message (pure): the nats action's JSON (one line or a batch) back into records,
// anything else as text, a malformed batch as one record saying so.
import type { FieldValue, Fields, LogRecord } from "../../core/record.js";
import { BATCH_VERSION } from "../../nats/batch-format.js";

export interface MessageMeta {
  subject: string;
  /** When the stream stored it (ms), the time of a message that carries none. */
  storedAt: number;
}

const decoder = new TextDecoder();

/**
 * A message published by the nats action ({time, source, host, file, offset, line, fields, rule})
 * becomes a record of this source (`source` = the configured name, so rules naming it see it) that keeps
 * where it came from: host, file, offset and time as they were, the original source name in
 * fields.origin_source and the agent's rule in fields.origin_rule. Any other payload is kept as
 * its text, with the subject in fields.subject.
 */
export function decodeMessage(data: Uint8Array, meta: MessageMeta, source: string): LogRecord {
  const text = decoder.decode(data); // invalid UTF-8 becomes U+FFFD
  return fromBody(parseObject(text), text, meta, source);
}

/** Most of a bad message kept in its error record: enough to see what it was, not a megabyte per record. */
const ERROR_TEXT_CHARS = 4096;

export interface Decoded {
  records: LogRecord[];
  /** Why (part of) the message could not be read; each such part became a record carrying it in decode_error. */
  errors: string[];
}

/**
 * Every record of a message: a batch (version header `batchHeader`, or the payload's logward_batch key) gives
 * one per line; any other message one. What cannot be read (a newer version, a batch that is not one, an entry
 * that is not a line) becomes a record of its text, cut to 4 KiB, with fields.decode_error: never dropped unseen.
 */
export function decodeMessages(
  data: Uint8Array,
  batchHeader: string | undefined,
  meta: MessageMeta,
  source: string,
): Decoded {
  const text = decoder.decode(data);
  const body = parseObject(text);
  const version = batchHeader ?? (body && "logward_batch" in body ? String(body.logward_batch) : undefined);
  if (version === undefined) return { records: [fromBody(body, text, meta, source)], errors: [] };
  if (version !== String(BATCH_VERSION)) {
    const error = `batch format version ${version.slice(0, 20)} is not one this logward reads (${BATCH_VERSION})`;
    return { records: [errorRecord(text, error, meta, source)], errors: [error] };
  }
  if (!body || !Array.isArray(body.lines)) {
    const error = "malformed batch: not a JSON object with a lines array";
    return { records: [errorRecord(text, error, meta, source)], errors: [error] };
  }
  const decoded: Decoded = { records: [], errors: [] };
  for (const entry of body.lines as unknown[]) {
    if (isObject(entry) && typeof entry.line === "string") {
      decoded.records.push(fromBody(entry, "", meta, source));
    } else {
      const error = "malformed batch entry: not an object with a line";
      decoded.errors.push(error);
      decoded.records.push(errorRecord(JSON.stringify(entry) ?? "undefined", error, meta, source));
    }
  }
  return decoded;
}

function errorRecord(text: string, error: string, meta: MessageMeta, source: string): LogRecord {
  const line = text.length > ERROR_TEXT_CHARS ? text.slice(0, ERROR_TEXT_CHARS) : text;
  return { source, line, time: meta.storedAt, fields: { subject: meta.subject, decode_error: error } };
}

function fromBody(
  body: Record<string, unknown> | undefined,
  text: string,
  meta: MessageMeta,
  source: string,
): LogRecord {
  if (!body || typeof body.line !== "string") {
    return { source, line: text.replace(/\r?\n$/, ""), time: meta.storedAt, fields: { subject: meta.subject } };
  }
  const fields: Fields = copyFields(body.fields);
  if (typeof body.source === "string") fields.origin_source = body.source;
  if (typeof body.rule === "string") fields.origin_rule = body.rule;
  if (body.truncated === true) fields.truncated = true;
  const record: LogRecord = { source, line: body.line, time: parseTime(body.time) ?? meta.storedAt, fields };
  if (typeof body.host === "string") record.host = body.host;
  if (typeof body.file === "string") record.file = body.file;
  if (typeof body.offset === "number" && Number.isFinite(body.offset)) record.offset = body.offset;
  return record;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Only the values a field may hold; nested objects and arrays as their JSON. */
function copyFields(value: unknown): Fields {
  const fields: Fields = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fields;
  const keys = Object.keys(value);
  if (keys.length === 0) return fields;
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      fields[key] = v as FieldValue;
    else if (v !== undefined) fields[key] = JSON.stringify(v);
  }
  return fields;
}

/** An ISO 8601 string or epoch milliseconds. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") return undefined;
  const millis = wireMillis(value);
  if (millis !== undefined && value.startsWith(second.prefix)) return second.at + millis;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  if (millis !== undefined && ISO_SECOND.test(value)) second = { prefix: value.slice(0, 20), at: ms - millis };
  return ms;
}

/** The second of the last wire time parsed (isoTime's layout), up to and including its dot, and its epoch ms. */
let second = { prefix: "\u0000", at: 0 };

/**
 * The milliseconds of a time in the layout isoTime writes, YYYY-MM-DDTHH:MM:SS.mmmZ, else undefined: then the text
 * before them names a second whose every millisecond parses alike (hour 24 takes only .000, so it is left out).
 */
function wireMillis(value: string): number | undefined {
  if (value.length !== 24 || value.charCodeAt(23) !== Z || value.charCodeAt(19) !== DOT) return undefined;
  if (value.charCodeAt(11) === TWO && value.charCodeAt(12) === FOUR) return undefined;
  const a = value.charCodeAt(20) - ZERO;
  const b = value.charCodeAt(21) - ZERO;
  const c = value.charCodeAt(22) - ZERO;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return undefined;
  return a * 100 + b * 10 + c;
}

/** The date and time up to the dot in ECMAScript's ISO layout: what makes the last 4 characters its milliseconds. */
const ISO_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\./;
const Z = 0x5a;
const DOT = 0x2e;
const ZERO = 0x30;
const TWO = 0x32;
const FOUR = 0x34;
