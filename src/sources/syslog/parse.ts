// Syslog message parsing (pure): RFC 5424 and RFC 3164 into a record's line, time, host and fields.
import type { Fields } from "../../core/record.js";

export const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;

export const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "solaris-cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;

export interface ParsedSyslog {
  /** The message text (MSG part); the whole raw text when malformed. */
  line: string;
  /** Timestamp from the header, undefined when it had none (the caller uses "now"). */
  time: number | undefined;
  /** HOSTNAME from the header, when present. */
  host: string | undefined;
  fields: Fields;
  malformed: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const PRI_RE = /^<(\d{1,3})>/;
// RFC 3339 as RFC 5424 restricts it: full date, time, optional fraction (≤ 6 digits) and a zone.
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BSD_TIME_RE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) /;
// TAG[PID]: as 3164 senders write it (the tag stops at the first character that is not part of a name).
const TAG_RE = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,32})\])?:(?: |$)/;

/**
 * Parse one syslog message. `now` (ms) resolves the year of RFC 3164 timestamps, which carry none.
 * Never throws: text without a valid <PRI> comes back as malformed, with the raw text as the line.
 */
export function parseSyslog(text: string, now: number): ParsedSyslog {
  const pri = PRI_RE.exec(text);
  const value = pri ? Number(pri[1]) : NaN;
  if (!pri || value > 191) return malformed(text);
  const fields: Fields = { facility: FACILITIES[value >> 3] ?? null, severity: SEVERITIES[value & 7] ?? null };
  const rest = text.slice(pri[0].length);
  if (rest.startsWith("1 ")) return parse5424(text, rest.slice(2), fields);
  return parse3164(rest, fields, now);
}

function malformed(text: string): ParsedSyslog {
  return { line: text, time: undefined, host: undefined, fields: { malformed: true }, malformed: true };
}

/** TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG] (after "<PRI>1 "). */
function parse5424(text: string, header: string, fields: Fields): ParsedSyslog {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const space = header.indexOf(" ", at);
    if (space <= at) return malformed(text);
    parts.push(header.slice(at, space));
    at = space + 1;
  }
  const [stamp, host, app, procid, msgid] = parts as [string, string, string, string, string];
  const time = stamp === "-" ? undefined : parseRfc3339(stamp);
  if (time === null) return malformed(text);
  const sd = readStructuredData(header, at);
  if (!sd) return malformed(text);
  setUnlessNil(fields, "host", host);
  setUnlessNil(fields, "app", app);
  setUnlessNil(fields, "procid", procid);
  setUnlessNil(fields, "msgid", msgid);
  if (sd.text !== "-") {
    fields.structured_data = sd.text;
    Object.assign(fields, sd.params);
  }
  let msg = header.slice(sd.end);
  if (msg.startsWith(" ")) msg = msg.slice(1);
  else if (msg !== "") return malformed(text);
  if (msg.startsWith("\uFEFF")) msg = msg.slice(1); // the BOM that marks a UTF-8 MSG
  return { line: msg, time, host: host === "-" ? undefined : host, fields, malformed: false };
}

function setUnlessNil(fields: Fields, key: string, value: string): void {
  if (value !== "-") fields[key] = value;
}

/** Milliseconds since the epoch, or null when the text is not a valid RFC 3339 timestamp. */
function parseRfc3339(stamp: string): number | null {
  if (!RFC3339_RE.test(stamp)) return null;
  const ms = Date.parse(stamp.replace(/(\.\d{3})\d+/, "$1")); // Date.parse wants at most milliseconds
  return Number.isNaN(ms) ? null : ms;
}

/**
 * STRUCTURED-DATA at `start`: "-" or one or more [SD-ID PARAM="VALUE"...] elements. Returns the raw
 * text, the parameters flattened as `sd.<id>.<name>` fields, and where it ends; undefined when invalid.
 */
export function readStructuredData(
  text: string,
  start: number,
): { text: string; params: Fields; end: number } | undefined {
  if (text[start] === "-") return { text: "-", params: {}, end: start + 1 };
  const params: Fields = {};
  let at = start;
  while (text[at] === "[") {
    const end = readElement(text, at + 1, params);
    if (end === undefined) return undefined;
    at = end;
  }
  return at === start ? undefined : { text: text.slice(start, at), params, end: at };
}

/** One SD-ELEMENT after its "[": returns the index after its "]". */
function readElement(text: string, at: number, params: Fields): number | undefined {
  const id = /^[^\s=\]"]{1,32}/.exec(text.slice(at, at + 33))?.[0];
  if (!id) return undefined;
  at += id.length;
  while (text[at] === " ") {
    const name = /^[^\s=\]"]{1,32}/.exec(text.slice(at + 1, at + 34))?.[0];
    if (!name || text[at + 1 + name.length] !== "=" || text[at + 2 + name.length] !== '"') return undefined;
    const value = readQuoted(text, at + 3 + name.length);
    if (!value) return undefined;
    params[`sd.${id}.${name}`] = value.value;
    at = value.end;
  }
  return text[at] === "]" ? at + 1 : undefined;
}

/** A PARAM-VALUE after its opening quote, with \" \\ and \] unescaped; returns the index after the closing quote. */
function readQuoted(text: string, at: number): { value: string; end: number } | undefined {
  let value = "";
  for (let i = at; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\" || text[i + 1] === "]")) {
      value += text[i + 1];
      i++;
    } else if (ch === '"') {
      return { value, end: i + 1 };
    } else {
      value += ch;
    }
  }
  return undefined;
}

/**
 * RFC 3164 after <PRI>: "Mmm dd hh:mm:ss HOST TAG[PID]: MSG", leniently. Senders vary: some omit the
 * host, some write an RFC 3339 stamp; a header that does not parse leaves the whole text as the message.
 */
function parse3164(rest: string, fields: Fields, now: number): ParsedSyslog {
  const stamp = readBsdStamp(rest, now);
  if (!stamp) return { line: rest, time: undefined, host: undefined, fields, malformed: false };
  let body = rest.slice(stamp.length);
  let host: string | undefined;
  const firstWord = /^(\S+) /.exec(body)?.[1];
  if (firstWord !== undefined && !TAG_RE.test(body)) {
    host = firstWord;
    body = body.slice(firstWord.length + 1);
  }
  if (host !== undefined) fields.host = host;
  const tag = TAG_RE.exec(body);
  if (tag) {
    fields.app = tag[1] ?? null;
    if (tag[2] !== undefined) fields.procid = tag[2];
    body = body.slice(tag[0].length);
  }
  return { line: body, time: stamp.time, host, fields, malformed: false };
}

/** The timestamp at the start of a 3164 header and its length including the following space. */
function readBsdStamp(text: string, now: number): { time: number; length: number } | undefined {
  const bsd = BSD_TIME_RE.exec(text);
  if (bsd) return { time: bsdTime(bsd, now), length: bsd[0].length };
  const space = text.indexOf(" ");
  const iso = space > 0 ? parseRfc3339(text.slice(0, space)) : null;
  return iso === null ? undefined : { time: iso, length: space + 1 };
}

/** "Mmm dd hh:mm:ss" in local time, in the year that puts it closest before now (allowing a little clock skew). */
function bsdTime(m: RegExpExecArray, now: number): number {
  const month = MONTHS.indexOf(m[1] as string);
  const [day, hour, minute, second] = [m[2], m[3], m[4], m[5]].map((s) => Number(String(s).trim())) as [
    number,
    number,
    number,
    number,
  ];
  const year = new Date(now).getFullYear();
  const candidate = new Date(year, month, day, hour, minute, second).getTime();
  // A December message read in early January belongs to last year.
  return candidate > now + 7 * 86_400_000 ? new Date(year - 1, month, day, hour, minute, second).getTime() : candidate;
}
