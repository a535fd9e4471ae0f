// What the nats source makes of a message (pure): the nats action's JSON back into a record, anything else as text.
import type { FieldValue, Fields, LogRecord } from "../../core/record.js";

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
  const body = parseObject(text);
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
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Only the values a field may hold; nested objects and arrays as their JSON. */
function copyFields(value: unknown): Fields {
  const fields: Fields = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fields;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      fields[key] = v as FieldValue;
    else if (v !== undefined) fields[key] = JSON.stringify(v);
  }
  return fields;
}

/** An ISO 8601 string or epoch milliseconds. */
function parseTime(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
