// An alert as an RFC 5322 message: headers (encoded-words for non-ASCII), Date, Message-ID, and a plain-text body
// a person reads — rule, source, kind, count, time, sample lines.
import { randomBytes } from "node:crypto";
import type { LogEvent } from "../../core/event.js";
import { isoTime } from "../../core/wire.js";
import { formatEvent } from "../delivery/format.js";
import { eventPlaceholders, fillPlaceholders } from "../delivery/template.js";

/** Longest line SMTP allows is 998 characters; body lines are base64 when any is longer or not ASCII. */
const MAX_LINE = 998;

export interface MessageOptions {
  from: string;
  to: readonly string[];
  subject: string;
  /** The host part of the Message-ID. */
  domain: string;
  now: number;
}

/** The message for these events (one, or a digest when batch.size allows several), lines joined by CRLF. */
export function buildMessage(events: readonly LogEvent[], options: MessageOptions): string {
  const first = events[0] as LogEvent;
  const more = events.length > 1 ? ` (+${events.length - 1} more)` : "";
  const headers = [
    `From: ${options.from}`,
    `To: ${options.to.join(", ")}`,
    `Subject: ${encodeHeader(renderSubject(options.subject, first) + more)}`,
    `Date: ${new Date(options.now).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomBytes(12).toString("hex")}.${options.now}@${options.domain}>`,
    "MIME-Version: 1.0",
    "Auto-Submitted: auto-generated",
  ];
  const body = events.map(describe).join("\r\n\r\n");
  const plain = /^[\x20-\x7e\r\n\t]*$/.test(body) && body.split("\r\n").every((l) => l.length <= MAX_LINE);
  if (plain) headers.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit");
  else headers.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64");
  const encoded = plain
    ? body
    : (
        Buffer.from(body)
          .toString("base64")
          .match(/.{1,76}/g) ?? []
      ).join("\r\n");
  return `${headers.join("\r\n")}\r\n\r\n${encoded}`;
}

/** The subject template filled from the event, on one line (a header cannot hold a line break). */
export function renderSubject(template: string, event: LogEvent): string {
  const values: Record<string, string> = { ...eventPlaceholders(event), count: String(event.count) };
  values.message = event.message ?? "";
  return fillPlaceholders(template, (name) => values[name])
    .replace(/[\r\n\t]+/g, " ")
    .slice(0, 500);
}

/** What happened, where, how often, when, and the lines behind it (formatEvent's samples). */
function describe(event: LogEvent): string {
  const vars = eventPlaceholders(event);
  const lines = [
    `Rule:   ${event.rule}`,
    `Source: ${event.source}`,
    `Kind:   ${vars.kind} (${vars.state})`,
    `Count:  ${event.count}${event.suppressed > 0 ? ` (+${event.suppressed} suppressed by cooldown)` : ""}`,
    `Time:   ${isoTime(event.time) ?? "unknown"}`,
  ];
  for (const [name, value] of Object.entries(event.fields)) lines.push(`Field ${name}: ${String(value)}`);
  if (event.message) lines.push("", event.message);
  lines.push("", ...formatEvent(event));
  return lines.map((line) => line.replace(/\r/g, "")).join("\r\n");
}

/** A header value: as is when printable ASCII, else RFC 2047 encoded-words (UTF-8, base64, whole characters). */
export function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = "";
  for (const char of value) {
    // 45 bytes of UTF-8 become 60 of base64: each word stays within the 75 characters RFC 2047 allows.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString("base64")}?=`).join("\r\n ");
}
