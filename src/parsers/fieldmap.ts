// Maps the keys of structured lines (JSON, logfmt) onto the common access-log field names.
import type { FieldValue, Fields } from "../core/record.js";
import { splitRequest, type RequestHit } from "./access.js";
import { parseClfTime, CLF_TIME_LENGTH } from "./clf-time.js";

/** The keys tried, in order, when no `<name>_field` option names one (dotted names reach into objects). */
const DEFAULT_KEYS = {
  time: ["time", "timestamp", "@timestamp", "ts", "date", "time_local", "time_iso8601"],
  host: ["host", "remote_addr", "remotehost", "client_ip", "client", "ip"],
  user: ["user", "remote_user", "authuser"],
  method: ["method", "request_method"],
  path: ["path", "uri", "request_uri", "url"],
  protocol: ["protocol", "server_protocol"],
  status: ["status", "status_code", "code"],
  bytes: ["bytes", "body_bytes_sent", "bytes_sent", "size"],
  referer: ["referer", "referrer", "http_referer"],
  agent: ["agent", "user_agent", "http_user_agent"],
  request: ["request"],
} as const;

type CommonName = keyof typeof DEFAULT_KEYS;
const NAMES = Object.keys(DEFAULT_KEYS) as CommonName[];

/**
 * Options of the json and logfmt parsers: which key holds each common field (checked by fieldNameOptions in
 * schema.ts).
 */
export type FieldNameOptions = { [name in `${CommonName}_field`]?: string | undefined };

type Source = Record<string, unknown>;

export class FieldMapper {
  private readonly keys: Record<CommonName, readonly string[]>;
  private lastTimeText = "";
  private lastTime = NaN;

  constructor(options: FieldNameOptions = {}) {
    const keys = {} as Record<CommonName, readonly string[]>;
    for (const name of NAMES) {
      const chosen = options[`${name}_field`];
      keys[name] = chosen ? [chosen] : DEFAULT_KEYS[name];
    }
    this.keys = keys;
  }

  /** Write the common fields found in source into fields; returns the event time (NaN when none). */
  apply(source: Source, fields: Fields): number {
    for (const name of NAMES) {
      if (name === "time") continue;
      const value = this.find(source, name);
      if (value === undefined) continue;
      fields[name] = name === "status" || name === "bytes" ? toNumber(value) : toText(value);
    }
    const request = fields.request;
    if (typeof request === "string" && (fields.method === undefined || fields.path === undefined)) {
      const parts = splitRequest(request);
      fields.method ??= parts.method;
      fields.path ??= parts.path;
      if (parts.protocol) fields.protocol ??= parts.protocol;
    }
    return this.time(source);
  }

  /** Fill the hit analytics needs; missing fields become "-" and 0. */
  hit(source: Source, hit: RequestHit): void {
    hit.time = this.time(source);
    hit.setHost(toText(this.find(source, "host") ?? "-"));
    const path = this.find(source, "path");
    const request = path === undefined ? this.find(source, "request") : undefined;
    hit.setPath(path !== undefined ? toText(path) : request !== undefined ? splitRequest(toText(request)).path : "");
    hit.status = toNumber(this.find(source, "status") ?? 0);
    hit.bytes = toNumber(this.find(source, "bytes") ?? 0);
  }

  private find(source: Source, name: CommonName): unknown {
    for (const key of this.keys[name]) {
      const value = lookup(source, key);
      if (value !== undefined && value !== null && typeof value !== "object") return value;
    }
    return undefined;
  }

  private time(source: Source): number {
    const value = this.find(source, "time");
    if (typeof value === "number") return epochToMs(value);
    if (typeof value !== "string") return NaN;
    if (value === this.lastTimeText) return this.lastTime;
    this.lastTimeText = value;
    this.lastTime = parseTimeText(value);
    return this.lastTime;
  }
}

/** A key as is, else a dotted path into nested objects ("http.status"). */
function lookup(source: Source, key: string): unknown {
  if (Object.hasOwn(source, key)) return source[key];
  if (!key.includes(".")) return undefined;
  let value: unknown = source;
  for (const part of key.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = Object.hasOwn(value, part) ? (value as Source)[part] : undefined;
  }
  return value;
}

/** Epoch seconds or milliseconds, told apart by size (1e11 s is the year 5138). */
function epochToMs(value: number): number {
  if (!Number.isFinite(value)) return NaN;
  return Math.abs(value) < 1e11 ? Math.round(value * 1000) : Math.round(value);
}

/** ISO 8601, epoch digits, or an Apache timestamp (with or without its brackets). */
export function parseTimeText(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (bare.length === CLF_TIME_LENGTH && bare.charCodeAt(2) === 47) return parseClfTime(bare, 0);
  return Date.parse(text);
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function toText(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

/** Copy the scalar top-level values of source into fields (objects and arrays are left out). */
export function copyScalars(source: Source, fields: Fields): void {
  for (const key in source) {
    if (key === "__proto__") continue;
    const value = source[key];
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      fields[key] = value as FieldValue;
  }
}
