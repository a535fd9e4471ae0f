// One interval's traffic report, its accumulator, and how a path maps to a section.
import type { RequestHit } from "../parsers/access.js";
import { SpaceSaving, type TopEntry } from "./topk.js";

export type { TopEntry };

export interface StatusClasses {
  "1xx": number;
  "2xx": number;
  "3xx": number;
  "4xx": number;
  "5xx": number;
  /** Status codes outside 100–599 (a 0 from a log without statuses, nginx's 000...). */
  other: number;
}

export interface StatsReport {
  /** Interval bounds in ms since the epoch, on the log's time; the first one's `from` is after its interval start. */
  from: number;
  to: number;
  hits: number;
  /** hits / seconds between from and to. */
  rate: number;
  bytes: number;
  status: StatusClasses;
  /** Server errors (5xx) and their share of hits. */
  errors: number;
  errorRate: number;
  sections: TopEntry[];
  hosts: TopEntry[];
  /** Lines not valid for the format, and lines later than the allowed lateness, since the last report. */
  invalid: number;
  late: number;
  /** The alert window as it stood at `to`. */
  window: { seconds: number; hits: number; rate: number };
  /** The alert threshold in req/s (absent when there is no alert) and whether the alert is firing at `to`. */
  threshold?: number;
  firing: boolean;
  /** True when more distinct sections or hosts came than the top-K capacity: counts are then upper bounds. */
  approximate: boolean;
}

/**
 * The section of a request path: up to the second "/" (`/api/user/1` → `/api`), without query or
 * fragment; `/` stays `/`. An absolute URL (proxy requests) is reduced to its path first.
 */
export function sectionOf(path: string): string {
  if (path.charCodeAt(0) !== 47) {
    const scheme = path.indexOf("://");
    if (scheme <= 0) return path;
    const slash = path.indexOf("/", scheme + 3);
    return slash < 0 ? "/" : sectionOf(path.slice(slash));
  }
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) return path.slice(0, i === 1 && c === 47 ? 1 : i);
  }
  return path;
}

/**
 * The section of a path as sectionOf gives it, without slicing: the path is text[start, end) (or
 * the bytes buf[start, end)) and the section's range of the same text goes to `start`/`end`. The
 * "/" of an absolute URL without a path is the second slash of its "://".
 */
export class SectionFinder {
  start = 0;
  end = 0;

  find(text: string, start: number, end: number): void {
    if (text.charCodeAt(start) !== SLASH) {
      let scheme = start;
      while (
        scheme + 3 <= end &&
        !(
          text.charCodeAt(scheme) === COLON &&
          text.charCodeAt(scheme + 1) === SLASH &&
          text.charCodeAt(scheme + 2) === SLASH
        )
      )
        scheme++;
      if (scheme === start || scheme + 3 > end) return this.range(start, end);
      let slash = scheme + 3;
      while (slash < end && text.charCodeAt(slash) !== SLASH) slash++;
      if (slash >= end) return this.range(scheme + 1, scheme + 2);
      start = slash;
    }
    let i = start + 1;
    for (let c = text.charCodeAt(i); i < end && c !== SLASH && c !== QUESTION && c !== HASH; c = text.charCodeAt(++i));
    this.range(start, i);
  }

  findBytes(buf: Uint8Array, start: number, end: number): void {
    if (buf[start] !== SLASH) {
      let scheme = start;
      while (scheme + 3 <= end && !(buf[scheme] === COLON && buf[scheme + 1] === SLASH && buf[scheme + 2] === SLASH))
        scheme++;
      if (scheme === start || scheme + 3 > end) return this.range(start, end);
      let slash = scheme + 3;
      while (slash < end && buf[slash] !== SLASH) slash++;
      if (slash >= end) return this.range(scheme + 1, scheme + 2);
      start = slash;
    }
    let i = start + 1;
    for (let c = buf[i]; i < end && c !== SLASH && c !== QUESTION && c !== HASH; c = buf[++i]);
    this.range(start, i);
  }

  private range(start: number, end: number): void {
    this.start = start;
    this.end = end;
  }
}

const SLASH = 47;
const COLON = 58;
const QUESTION = 63;
const HASH = 35;

/** What a report is built from: the counts of one interval. */
export interface IntervalTally {
  readonly hits: number;
  readonly bytes: number;
  readonly errors: number;
  readonly status: readonly number[];
  readonly sections: { top(n: number): TopEntry[]; readonly approximate: boolean };
  readonly hosts: { top(n: number): TopEntry[]; readonly approximate: boolean };
  add(hit: RequestHit): void;
  /** Start over empty, for another interval. */
  clear(): void;
}

/** Counts of one open interval; cleared and used again for a later one (its top-K memory is kept). */
export class IntervalCounts implements IntervalTally {
  hits = 0;
  bytes = 0;
  errors = 0;
  /** 1xx..5xx then other. */
  readonly status = [0, 0, 0, 0, 0, 0];
  readonly sections: SpaceSaving;
  readonly hosts: SpaceSaving;
  private readonly section = new SectionFinder();

  constructor(capacity: number) {
    this.sections = new SpaceSaving(capacity);
    this.hosts = new SpaceSaving(capacity);
  }

  add(hit: RequestHit): void {
    this.hits++;
    this.bytes += hit.bytes;
    const statusClass = (hit.status / 100) | 0;
    if (statusClass >= 1 && statusClass <= 5) this.status[statusClass - 1]!++;
    else this.status[5]!++;
    if (statusClass === 5) this.errors++;
    const section = this.section;
    if (hit.pathEnd > hit.pathStart) {
      if (hit.pathBytes) {
        section.findBytes(hit.pathBytes, hit.pathStart, hit.pathEnd);
        this.sections.addBytes(hit.pathBytes, section.start, section.end);
      } else {
        section.find(hit.pathText, hit.pathStart, hit.pathEnd);
        this.sections.add(hit.pathText, section.start, section.end);
      }
    }
    if (hit.hostBytes) this.hosts.addBytes(hit.hostBytes, hit.hostStart, hit.hostEnd);
    else this.hosts.add(hit.hostText, hit.hostStart, hit.hostEnd);
  }

  clear(): void {
    this.hits = 0;
    this.bytes = 0;
    this.errors = 0;
    this.status.fill(0);
    this.sections.clear();
    this.hosts.clear();
  }
}

export interface ReportContext {
  from: number;
  to: number;
  top: number;
  invalid: number;
  late: number;
  window: { seconds: number; hits: number };
  threshold: number | undefined;
  firing: boolean;
}

export function buildReport(counts: IntervalTally | undefined, ctx: ReportContext): StatsReport {
  const hits = counts?.hits ?? 0;
  const seconds = Math.max(0.001, (ctx.to - ctx.from) / 1000);
  const s = counts?.status ?? [0, 0, 0, 0, 0, 0];
  const errors = counts?.errors ?? 0;
  return {
    from: ctx.from,
    to: ctx.to,
    hits,
    rate: round(hits / seconds),
    bytes: counts?.bytes ?? 0,
    status: {
      "1xx": s[0] ?? 0,
      "2xx": s[1] ?? 0,
      "3xx": s[2] ?? 0,
      "4xx": s[3] ?? 0,
      "5xx": s[4] ?? 0,
      other: s[5] ?? 0,
    },
    errors,
    errorRate: hits ? round(errors / hits, 4) : 0,
    sections: counts?.sections.top(ctx.top) ?? [],
    hosts: counts?.hosts.top(ctx.top) ?? [],
    invalid: ctx.invalid,
    late: ctx.late,
    window: { seconds: ctx.window.seconds, hits: ctx.window.hits, rate: round(ctx.window.hits / ctx.window.seconds) },
    ...(ctx.threshold !== undefined ? { threshold: ctx.threshold } : {}),
    firing: ctx.firing,
    approximate: (counts?.sections.approximate ?? false) || (counts?.hosts.approximate ?? false),
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
