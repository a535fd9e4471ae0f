// One line of `journalctl -o json` as a record: MESSAGE the line, _HOSTNAME the host, a bounded set of fields.
import type { Fields, LogRecord } from "../../core/record.js";
import { cutMarker } from "../lines/index.js";

export interface EntryLimits {
  maxLineBytes: number;
  maxFields: number;
  maxFieldBytes: number;
}

/** A journal entry made a record, with the cursor that resumes after it. */
export interface JournalEntry {
  record: LogRecord;
  cursor: string;
  /** Fields left out by max_fields or cut by max_field_bytes. */
  dropped: number;
}

/** Journal fields that get a name of their own (or are the line, the host, the time, the position). */
const NAMED: Record<string, string> = { _SYSTEMD_UNIT: "unit", SYSLOG_IDENTIFIER: "identifier" };
const NUMERIC: Record<string, string> = { PRIORITY: "priority", _PID: "pid" };
const NOT_FIELDS = new Set([
  "MESSAGE",
  "_HOSTNAME",
  "__CURSOR",
  "__REALTIME_TIMESTAMP",
  "__MONOTONIC_TIMESTAMP",
  "__SEQNUM",
  "__SEQNUM_ID",
]);

/** Parse one output line; undefined when it is not a JSON object with a cursor (journalctl's own notes). */
export function parseEntry(text: string, source: string, now: number, limits: EntryLimits): JournalEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const entry = raw as Record<string, unknown>;
  const cursor = entry.__CURSOR;
  if (typeof cursor !== "string") return undefined;
  const fields: Fields = {};
  const dropped = fillFields(entry, fields, limits);
  const micros = Number(valueText(entry.__REALTIME_TIMESTAMP));
  const record: LogRecord = {
    source,
    line: cutToBytes(valueText(entry.MESSAGE) ?? "", limits.maxLineBytes),
    time: Number.isFinite(micros) && micros > 0 ? Math.floor(micros / 1000) : now,
    fields,
  };
  const host = valueText(entry._HOSTNAME);
  if (host !== undefined) record.host = host;
  return { record, cursor, dropped };
}

/** The named fields, then the others in the order journalctl gave them, within the limits; returns what was left. */
function fillFields(entry: Record<string, unknown>, fields: Fields, limits: EntryLimits): number {
  let count = 0;
  let bytes = 0;
  let dropped = 0;
  for (const [key, value] of Object.entries(entry)) {
    if (NOT_FIELDS.has(key)) continue;
    const text = valueText(value);
    if (text === undefined) continue;
    const named = NAMED[key];
    const numeric = NUMERIC[key];
    if (numeric) fields[numeric] = /^\d{1,15}$/.test(text) ? Number(text) : cutToBytes(text, 64);
    else if (named) fields[named] = cutToBytes(text, limits.maxFieldBytes);
    else if (count >= limits.maxFields || bytes >= limits.maxFieldBytes) dropped++;
    else {
      const kept = cutToBytes(text, limits.maxFieldBytes - bytes);
      if (kept.length < text.length) dropped++;
      fields[key] = kept;
      count++;
      bytes += Buffer.byteLength(kept);
    }
  }
  return dropped;
}

/**
 * A field's value as text. journalctl writes a value that is not valid UTF-8 (or holds control bytes) as an array
 * of byte numbers, and a field that occurs more than once as an array of such values (joined here by newlines).
 */
export function valueText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return undefined;
  if (value.every((b) => typeof b === "number")) return Buffer.from(value as number[]).toString("utf8");
  const parts = value.map(valueText).filter((v): v is string => v !== undefined);
  return parts.length > 0 ? parts.join("\n") : undefined;
}

const encoder = new TextEncoder();

/** The text cut to at most maxBytes of UTF-8 on a character boundary, and marked as cut (as the file source does). */
export function cutToBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const total = Buffer.byteLength(text);
  if (total <= maxBytes) return text;
  const { read, written } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read) + cutMarker(total - written);
}
