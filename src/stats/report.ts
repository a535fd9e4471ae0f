// One interval's traffic report, its accumulator, and how a path maps to a section.
import type { AccessHit } from "../parsers/access.js";
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
  /** Interval bounds in ms since the epoch, on the log's time; `from` is later than the interval start for the first one. */
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
  /** Lines that were not valid for the format, and lines that came later than the allowed lateness, since the last report. */
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

/** Counts of one open interval. */
export class IntervalCounts {
  hits = 0;
  bytes = 0;
  errors = 0;
  /** 1xx..5xx then other. */
  readonly status = [0, 0, 0, 0, 0, 0];
  readonly sections: SpaceSaving;
  readonly hosts: SpaceSaving;

  constructor(capacity: number) {
    this.sections = new SpaceSaving(capacity);
    this.hosts = new SpaceSaving(capacity);
  }

  add(hit: AccessHit): void {
    this.hits++;
    this.bytes += hit.bytes;
    const statusClass = (hit.status / 100) | 0;
    if (statusClass >= 1 && statusClass <= 5) this.status[statusClass - 1]!++;
    else this.status[5]!++;
    if (statusClass === 5) this.errors++;
    if (hit.path !== "") this.sections.add(sectionOf(hit.path));
    this.hosts.add(hit.host);
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

export function buildReport(counts: IntervalCounts | undefined, ctx: ReportContext): StatsReport {
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
    status: { "1xx": s[0] ?? 0, "2xx": s[1] ?? 0, "3xx": s[2] ?? 0, "4xx": s[3] ?? 0, "5xx": s[4] ?? 0, other: s[5] ?? 0 },
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
