// Plain-text and JSON renderings of reports and alerts, for piped output, logs and events.
import type { LogEvent } from "../core/event.js";
import type { StatsReport, TopEntry } from "./report.js";

const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "1xx", "other"] as const;

/** "2026-11-21T04:15:00Z": the log's time in UTC, seconds only. */
export function isoSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, 19)}Z` : iso;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

function topText(entries: TopEntry[]): string {
  return entries.length ? entries.map((e) => `${e.name} ${e.hits}`).join(", ") : "-";
}

/** One line for an event message: "52 hits, 5.2 req/s, top /api (30)". */
export function summaryLine(report: StatsReport): string {
  const top = report.sections[0];
  return `${report.hits} hits, ${report.rate} req/s${top ? `, top ${top.name} (${top.hits})` : ""}`;
}

/** A report as a few plain lines (for piped output and replays). */
export function formatReportText(report: StatsReport): string {
  const range = `${isoSeconds(report.from)} → ${isoSeconds(report.to).slice(11)}`;
  const statuses = STATUS_CLASSES.filter((c) => report.status[c] > 0 || c === "2xx" || c === "5xx")
    .map((c) => `${c} ${report.status[c]}`)
    .join(" ");
  const window = `window ${report.window.seconds}s ${report.window.rate} req/s${report.firing ? " ALERT" : ""}`;
  const extra = [report.invalid ? `${report.invalid} invalid` : "", report.late ? `${report.late} late` : ""]
    .filter(Boolean)
    .join(", ");
  return (
    `[${range}] ${report.hits} hits, ${report.rate} req/s, ${formatBytes(report.bytes)}, ${statuses}, ` +
    `errors ${formatPercent(report.errorRate)}, ${window}` +
    `${extra ? `, ${extra}` : ""}\n` +
    `  sections: ${topText(report.sections)}\n` +
    `  hosts:    ${topText(report.hosts)}\n`
  );
}

/** `{"type":"stats",...}` with ISO times. */
export function reportJson(report: StatsReport): string {
  return JSON.stringify({
    type: "stats",
    ...report,
    from: new Date(report.from).toISOString(),
    to: new Date(report.to).toISOString(),
  });
}

/**
 * `{"type":"alert","state":"firing","hits":N,"rate":R,"at":ISO}` or `{"type":"alert","state":"recovered","at":ISO}`.
 */
export function alertJson(event: LogEvent): string {
  const data = event.data ?? {};
  if (event.kind === "alert")
    return JSON.stringify({ type: "alert", state: "firing", hits: data.hits, rate: data.rate, at: data.at });
  return JSON.stringify({ type: "alert", state: "recovered", at: data.at });
}
