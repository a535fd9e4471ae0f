// What the HTML report shows, gathered from a stats job's reports and alerts in memory bounded whatever the period.
import type { LogEvent } from "../core/event.js";
import type { StatsReport, StatusClasses, TopEntry } from "./report.js";

/** One point of the traffic chart: one report, or several adjacent ones merged when the period is long. */
export interface ChartPoint {
  from: number;
  to: number;
  hits: number;
  /** The highest single report's rate among those merged. */
  peak: number;
}

export interface AlertPeriod {
  start: number;
  /** undefined while still firing at the end of the data. */
  end: number | undefined;
  message: string;
  rate: number;
}

export interface CollectedReport {
  points: ChartPoint[];
  alerts: AlertPeriod[];
  /** Alert periods left out past the cap (the first ones are kept). */
  alertsDropped: number;
  hits: number;
  bytes: number;
  errors: number;
  invalid: number;
  late: number;
  status: StatusClasses;
  sections: TopEntry[];
  hosts: TopEntry[];
  threshold: number | undefined;
  /** Counts of the top lists are sums of each report's top entries: a lower bound for an entry. */
  approximate: boolean;
}

/** Points kept on the chart: past twice this, neighbours are merged in pairs. */
const MAX_POINTS = 1000;
/** Names kept per top list: past twice this, the smaller half is dropped (the counts become approximate). */
const MAX_NAMES = 2000;
const MAX_ALERTS = 500;
const TOP_SHOWN = 15;

export class ReportCollector {
  private points: ChartPoint[] = [];
  /** Reports merged into each new point (doubles each time the chart is thinned). */
  private stride = 1;
  private filling = 0;
  private readonly alerts: AlertPeriod[] = [];
  private alertsDropped = 0;
  private readonly sections = new Map<string, number>();
  private readonly hosts = new Map<string, number>();
  private readonly totals = { hits: 0, bytes: 0, errors: 0, invalid: 0, late: 0 };
  private readonly status: StatusClasses = { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 };
  private threshold: number | undefined;
  private approximate = false;

  /** A stats job's event: a report ("stats"), an alert firing ("alert") or recovering ("recovery"). */
  add(event: LogEvent): void {
    if (event.kind === "stats") this.addReport(event.data as unknown as StatsReport);
    else if (event.kind === "alert") this.openAlert(event);
    else if (event.kind === "recovery") this.closeAlert(event.time);
  }

  addReport(report: StatsReport): void {
    this.addPoint(report);
    for (const key of ["hits", "bytes", "errors", "invalid", "late"] as const) this.totals[key] += report[key] ?? 0;
    for (const key of Object.keys(this.status) as (keyof StatusClasses)[])
      this.status[key] += report.status?.[key] ?? 0;
    this.addTop(this.sections, report.sections ?? []);
    this.addTop(this.hosts, report.hosts ?? []);
    if (report.threshold !== undefined) this.threshold = report.threshold;
    if (report.approximate) this.approximate = true;
  }

  openAlert(event: Pick<LogEvent, "time" | "message" | "fields">): void {
    const last = this.alerts[this.alerts.length - 1];
    if (last && last.end === undefined) return; // already firing
    if (this.alerts.length >= MAX_ALERTS) {
      this.alertsDropped++;
      return;
    }
    const rate = typeof event.fields.rate === "number" ? event.fields.rate : 0;
    this.alerts.push({ start: event.time, end: undefined, message: event.message ?? "high traffic", rate });
  }

  closeAlert(time: number): void {
    const last = this.alerts[this.alerts.length - 1];
    if (last && last.end === undefined) last.end = time;
  }

  result(): CollectedReport {
    return {
      points: [...this.points],
      alerts: this.alerts.map((a) => ({ ...a })),
      alertsDropped: this.alertsDropped,
      ...this.totals,
      status: { ...this.status },
      sections: top(this.sections),
      hosts: top(this.hosts),
      threshold: this.threshold,
      approximate: this.approximate,
    };
  }

  private addPoint(report: StatsReport): void {
    const last = this.points[this.points.length - 1];
    if (last && this.filling < this.stride) {
      last.to = report.to;
      last.hits += report.hits;
      last.peak = Math.max(last.peak, report.rate);
    } else {
      this.points.push({ from: report.from, to: report.to, hits: report.hits, peak: report.rate });
      this.filling = 0;
    }
    this.filling++;
    if (this.points.length >= 2 * MAX_POINTS) this.thin();
  }

  /** Merge neighbours in pairs: the chart keeps the whole period at half the resolution. */
  private thin(): void {
    const merged: ChartPoint[] = [];
    for (let i = 0; i < this.points.length; i += 2) {
      const a = this.points[i] as ChartPoint;
      const b = this.points[i + 1];
      merged.push(b ? { from: a.from, to: b.to, hits: a.hits + b.hits, peak: Math.max(a.peak, b.peak) } : a);
    }
    this.points = merged;
    this.stride *= 2;
    this.filling = this.stride; // the last point may be a lone one: start a new point next
  }

  private addTop(counts: Map<string, number>, entries: readonly TopEntry[]): void {
    for (const { name, hits } of entries) counts.set(name, (counts.get(name) ?? 0) + hits);
    if (counts.size < 2 * MAX_NAMES) return;
    const keep = top(counts, MAX_NAMES);
    counts.clear();
    for (const entry of keep) counts.set(entry.name, entry.hits);
    this.approximate = true;
  }
}

function top(counts: Map<string, number>, n = TOP_SHOWN): TopEntry[] {
  return [...counts]
    .map(([name, hits]) => ({ name, hits }))
    .sort((a, b) => b.hits - a.hits || (a.name < b.name ? -1 : 1))
    .slice(0, n);
}

/** The average request rate of a point. */
export function pointRate(p: ChartPoint): number {
  const seconds = (p.to - p.from) / 1000;
  return seconds > 0 ? p.hits / seconds : 0;
}
