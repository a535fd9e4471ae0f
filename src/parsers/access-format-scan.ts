// The `custom` format: a compiled access format read by one pass of literal searches, on text and on UTF-8 bytes.
import type { FieldValue } from "../core/record.js";
import {
  digitsAt,
  HIT,
  INVALID,
  requestSpans,
  type LineFormat,
  type ParsedLine,
  type RequestHit,
  type ScanOutcome,
} from "./access.js";
import { compileAccessFormat, NGINX_COMBINED, type CompiledFormat, type Role } from "./access-format.js";
import { digitsIn, requestPathIn } from "./bytes.js";
import { CLF_TIME_LENGTH, ClfTimeCache } from "./clf-time.js";

const BACKSLASH = 92;
const DASH = 45;
const BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * Splits a line into the values of the format's variables: each value ends where the literal after it first occurs
 * (after a backslash-escaped quote, for a quoted value), the last one at the end of the line when nothing follows
 * it. The same decisions on text (split) and on bytes (splitBytes): literals found as UTF-8 bytes are found at the
 * same characters, since no byte of a multi-byte character is ASCII or the start of another character.
 */
export class AccessFormatSplitter {
  readonly spans: Int32Array;
  private readonly literalBytes: Buffer[];

  constructor(readonly format: CompiledFormat) {
    this.spans = new Int32Array(format.variables.length * 2);
    this.literalBytes = format.literals.map((literal) => Buffer.from(literal));
  }

  split(text: string, start: number, end: number): boolean {
    const { literals, variables } = this.format;
    const first = literals[0]!;
    if (end - start < first.length || !text.startsWith(first, start)) return false;
    let i = start + first.length;
    for (let v = 0; v < variables.length; v++) {
      const literal = literals[v + 1]!;
      const close = literal === "" ? end : findText(text, literal, i, end, variables[v]!.quoted);
      if (close < 0) return false;
      this.spans[2 * v] = i;
      this.spans[2 * v + 1] = close;
      i = close + literal.length;
    }
    return i === end;
  }

  splitBytes(buf: Buffer, start: number, end: number): boolean {
    const literals = this.literalBytes;
    const { variables } = this.format;
    const first = literals[0]!;
    if (end - start < first.length || buf.compare(first, 0, first.length, start, start + first.length) !== 0)
      return false;
    let i = start + first.length;
    for (let v = 0; v < variables.length; v++) {
      const literal = literals[v + 1]!;
      const close = literal.length === 0 ? end : findBytes(buf, literal, i, end, variables[v]!.quoted);
      if (close < 0) return false;
      this.spans[2 * v] = i;
      this.spans[2 * v + 1] = close;
      i = close + literal.length;
    }
    return i === end;
  }
}

/** The first `literal` in text[from, end) not after an odd run of backslashes (when quoted), or -1. */
function findText(text: string, literal: string, from: number, end: number, quoted: boolean): number {
  let at = text.indexOf(literal, from);
  while (at >= 0 && at + literal.length <= end) {
    if (!quoted) return at;
    let slashes = 0;
    while (at - 1 - slashes >= from && text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
    at = text.indexOf(literal, at + 1);
  }
  return -1;
}

function findBytes(buf: Buffer, literal: Buffer, from: number, end: number, quoted: boolean): number {
  let at = buf.indexOf(literal, from);
  while (at >= 0 && at + literal.length <= end) {
    if (!quoted) return at;
    let slashes = 0;
    while (at - 1 - slashes >= from && buf[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
    at = buf.indexOf(literal, at + 1);
  }
  return -1;
}

/** A value in the role's type: undefined when the line cannot be of this format (status not a number...). */
export function roleValue(role: Role, value: string): FieldValue | undefined {
  switch (role) {
    case "status":
      return digitsAt(value, 0, value.length) < 0 ? undefined : Number(value);
    case "bytes":
      return value === "-" ? 0 : digitsAt(value, 0, value.length) < 0 ? undefined : Number(value);
    case "number":
      return /^\d{1,15}(\.\d{1,9})?$/.test(value) ? Number(value) : value;
    default:
      return value;
  }
}

/** The time a time-role value gives (NaN when invalid); a CLF time may come with or without its brackets. */
function timeOf(role: Role, text: string, start: number, end: number, times: ClfTimeCache): number {
  if (role !== "time") return otherTime(role, text.slice(start, end));
  const bracketed = text.charCodeAt(start) === BRACKET ? 1 : 0;
  if (end - start !== CLF_TIME_LENGTH + 2 * bracketed) return NaN;
  if (bracketed && text.charCodeAt(end - 1) !== CLOSE_BRACKET) return NaN;
  return times.parse(text, start + bracketed);
}

function timeOfBytes(role: Role, buf: Buffer, start: number, end: number, times: ClfTimeCache): number {
  if (role !== "time") return otherTime(role, buf.toString("utf8", start, end));
  const bracketed = buf[start] === BRACKET ? 1 : 0;
  if (end - start !== CLF_TIME_LENGTH + 2 * bracketed) return NaN;
  if (bracketed && buf[end - 1] !== CLOSE_BRACKET) return NaN;
  return times.parseBytes(buf, start + bracketed) ? times.lastTime : NaN;
}

/** $time_iso8601 and $msec (seconds with milliseconds). */
function otherTime(role: Role, value: string): number {
  if (role === "msec") return /^\d{1,12}(\.\d{1,3})?$/.test(value) ? Math.round(Number(value) * 1000) : NaN;
  return /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
}

/** Where each role the analytics needs is (its first variable), and which variables a line must have valid. */
interface Layout {
  host: number;
  request: number;
  path: number;
  status: number;
  bytes: number;
  time: number;
  /** Status and bytes variables: digits (bytes: or "-"). */
  numeric: number[];
  /** The request's parts not named by a variable of their own. */
  requestParts: { method: boolean; path: boolean; protocol: boolean };
}

function layoutOf(format: CompiledFormat): Layout {
  const roles = format.variables.map((v) => v.role);
  const fields = new Set(format.variables.map((v) => v.field));
  const first = (...wanted: Role[]) => roles.findIndex((role) => wanted.includes(role));
  return {
    host: first("host"),
    request: first("request"),
    path: first("path"),
    status: first("status"),
    bytes: first("bytes"),
    time: first("time", "iso_time", "msec"),
    numeric: roles.flatMap((role, v) => (role === "status" || role === "bytes" ? [v] : [])),
    requestParts: { method: !fields.has("method"), path: !fields.has("path"), protocol: !fields.has("protocol") },
  };
}

/** The `custom` format; without a format, nginx's default (`combined`). */
export function createCustomFormat(accessFormat = NGINX_COMBINED): LineFormat {
  return new CustomFormat(compileAccessFormat(accessFormat));
}

class CustomFormat implements LineFormat {
  readonly name = "custom";
  private readonly splitter: AccessFormatSplitter;
  private readonly layout: Layout;
  private readonly times = new ClfTimeCache();
  private readonly s: Int32Array;
  private readonly request = new Int32Array(6);
  private readonly vars: CompiledFormat["variables"];

  constructor(format: CompiledFormat) {
    this.splitter = new AccessFormatSplitter(format);
    this.layout = layoutOf(format);
    this.s = this.splitter.spans;
    this.vars = format.variables;
  }

  scan(text: string, start: number, end: number, hit: RequestHit): ScanOutcome {
    if (!this.splitter.split(text, start, end)) return INVALID;
    const time = this.checkText(text);
    if (time === undefined) return INVALID;
    const { s, layout } = this;
    hit.time = time;
    if (layout.host < 0) hit.setHost("");
    else hit.setHost(text, s[2 * layout.host], s[2 * layout.host + 1]);
    if (layout.path >= 0) hit.setPath(text, s[2 * layout.path], s[2 * layout.path + 1]);
    else if (layout.request >= 0) {
      requestSpans(text, s[2 * layout.request]!, s[2 * layout.request + 1]!, this.request, 0);
      hit.setPath(text, this.request[2], this.request[3]);
    } else hit.setPath("");
    hit.status = this.number(text, layout.status);
    hit.bytes = this.number(text, layout.bytes);
    return HIT;
  }

  scanBytes(buf: Buffer, start: number, end: number, hit: RequestHit): ScanOutcome {
    if (!this.splitter.splitBytes(buf, start, end) || !this.numbersValidBytes(buf)) return INVALID;
    const { s, layout } = this;
    const t = layout.time;
    hit.time = t < 0 ? NaN : timeOfBytes(this.vars[t]!.role, buf, s[2 * t]!, s[2 * t + 1]!, this.times);
    if (t >= 0 && hit.time !== hit.time) return INVALID;
    if (layout.host < 0) hit.setHost("");
    else hit.setHostBytes(buf, s[2 * layout.host]!, s[2 * layout.host + 1]!);
    if (layout.path >= 0) hit.setPathBytes(buf, s[2 * layout.path]!, s[2 * layout.path + 1]!);
    else if (layout.request >= 0) {
      requestPathIn(buf, s[2 * layout.request]!, s[2 * layout.request + 1]!, this.request, 0);
      hit.setPathBytes(buf, this.request[0]!, this.request[1]!);
    } else hit.setPath("");
    hit.status = layout.status < 0 ? 0 : Math.max(0, digitsIn(buf, s[2 * layout.status]!, s[2 * layout.status + 1]!));
    hit.bytes = layout.bytes < 0 ? 0 : Math.max(0, digitsIn(buf, s[2 * layout.bytes]!, s[2 * layout.bytes + 1]!));
    return HIT;
  }

  parse(line: string, out: ParsedLine): ScanOutcome {
    if (!this.splitter.split(line, 0, line.length)) return INVALID;
    const time = this.checkText(line);
    if (time === undefined) return INVALID;
    out.time = time;
    for (const [v, variable] of this.vars.entries()) {
      const value = line.slice(this.s[2 * v], this.s[2 * v + 1]);
      if (variable.role === "request") requestFields(value, this.layout.requestParts, out);
      if (variable.role !== "time" && variable.role !== "iso_time")
        out.fields[variable.field] = roleValue(variable.role === "msec" ? "number" : variable.role, value) ?? value;
    }
    return HIT;
  }

  /** The split line's time (NaN without a time variable); undefined when a typed value is invalid. */
  private checkText(text: string): number | undefined {
    const { s, layout } = this;
    for (const v of layout.numeric) {
      const [a, b] = [s[2 * v]!, s[2 * v + 1]!];
      const dash = this.vars[v]!.role === "bytes" && b === a + 1 && text.charCodeAt(a) === DASH;
      if (!dash && digitsAt(text, a, b) < 0) return undefined;
    }
    if (layout.time < 0) return NaN;
    const time = timeOf(this.vars[layout.time]!.role, text, s[2 * layout.time]!, s[2 * layout.time + 1]!, this.times);
    return time === time ? time : undefined;
  }

  private numbersValidBytes(buf: Buffer): boolean {
    for (const v of this.layout.numeric) {
      const [a, b] = [this.s[2 * v]!, this.s[2 * v + 1]!];
      const dash = this.vars[v]!.role === "bytes" && b === a + 1 && buf[a] === DASH;
      if (!dash && digitsIn(buf, a, b) < 0) return false;
    }
    return true;
  }

  /** The digits of variable v (0 when the format has none, or for "-"). */
  private number(text: string, v: number): number {
    if (v < 0) return 0;
    const value = digitsAt(text, this.s[2 * v]!, this.s[2 * v + 1]!);
    return value < 0 ? 0 : value;
  }
}

/** method, path and protocol of a request, each unless a variable of the format fills it. */
function requestFields(value: string, parts: Layout["requestParts"], out: ParsedLine): void {
  const spans = new Int32Array(6);
  requestSpans(value, 0, value.length, spans, 0);
  if (parts.method) out.fields.method = value.slice(spans[0], spans[1]);
  if (parts.path) out.fields.path = value.slice(spans[2], spans[3]);
  if (parts.protocol) out.fields.protocol = value.slice(spans[4], spans[5]);
}
