// The stats report as one self-contained HTML page: inline CSS, an inline SVG chart, no script, no external request.
import { createHash } from "node:crypto";
import { isoTime } from "../core/wire.js";
import { pointRate, type AlertPeriod, type ChartPoint, type CollectedReport } from "./html-collect.js";
import { formatBytes } from "./render.js";
import type { TopEntry } from "./report.js";

const CAPPED = " and were capped (counts are lower bounds)";
const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em;color:#1d232a;background:#f7f8fa}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
.sub{color:#5b6570}.cards{display:flex;flex-wrap:wrap;gap:.6em}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.5em .9em;min-width:8em}
.card b{display:block;font-size:1.3em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1em}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{padding:.25em .5em;border-bottom:1px solid #eef0f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.name{word-break:break-all}meter{width:8em}
svg{background:#fff;border:1px solid #dde1e6;border-radius:6px;width:100%;height:auto}
.rate{fill:none;stroke:#2f6fde;stroke-width:1.5}.area{fill:#2f6fde;opacity:.12}
.peak{fill:none;stroke:#9ab6ee;stroke-width:1}
.alert{fill:#e5484d;opacity:.18}.threshold{stroke:#e5484d;stroke-dasharray:6 4}.axis{stroke:#9aa3ad}
.label{font-size:11px;fill:#5b6570}.firing{color:#c62828;font-weight:600}
`;

/** The page's Content-Security-Policy: nothing but its own inline style (by hash); no script at all. */
export const REPORT_CSP =
  `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; ` +
  "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Text for HTML, in content or in a quoted attribute: log lines are hostile. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHtmlReport(data: CollectedReport, view: { title: string; generated: number }): string {
  const first = data.points[0]?.from;
  const last = data.points[data.points.length - 1]?.to;
  const period = first !== undefined && last !== undefined ? `${time(first)} – ${time(last)}` : "no report yet";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>logward stats: ${escapeHtml(view.title)}</title>
<style>${STYLE}</style></head><body>
<h1>Traffic report: ${escapeHtml(view.title)}</h1>
<p class="sub">${escapeHtml(period)} · made by logward at ${escapeHtml(time(view.generated))}</p>
${cards(data, first, last)}
<h2>Requests per second</h2>
${chart(data)}
${alertTable(data)}
<div class="grid">
<section><h2>Top sections</h2>${topTable(data.sections, data.hits, "section")}</section>
<section><h2>Top hosts</h2>${topTable(data.hosts, data.hits, "host")}</section>
<section><h2>Status classes</h2>${statusTable(data)}</section>
</div>
<p class="sub">Top lists add up each report's top entries${data.approximate ? CAPPED : ""}.</p>
</body></html>
`;
}

function time(ms: number): string {
  return (isoTime(ms) ?? "-").replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function cards(data: CollectedReport, first: number | undefined, last: number | undefined): string {
  const seconds = first !== undefined && last !== undefined ? (last - first) / 1000 : 0;
  const peak = Math.max(0, ...data.points.map((p) => p.peak));
  const firing = data.alerts.some((a) => a.end === undefined);
  const card = (label: string, value: string, cls = ""): string =>
    `<div class="card"><b${cls ? ` class="${cls}"` : ""}>${escapeHtml(value)}</b>${escapeHtml(label)}</div>`;
  return `<div class="cards">${[
    card("requests", data.hits.toLocaleString("en")),
    card("req/s on average", seconds > 0 ? (data.hits / seconds).toFixed(2) : "-"),
    card("req/s at the peak report", peak.toFixed(2)),
    card("transferred", formatBytes(data.bytes)),
    card("server errors (5xx)", data.errors.toLocaleString("en")),
    card("alert periods", String(data.alerts.length + data.alertsDropped), firing ? "firing" : ""),
    card("invalid / late lines", `${data.invalid} / ${data.late}`),
  ].join("")}</div>`;
}

const W = 1000;
const H = 260;
const PAD = { left: 52, right: 12, top: 12, bottom: 28 };

/** The rate over the whole period, the peak of merged points, the threshold, and the alert periods as red bands. */
function chart(data: CollectedReport): string {
  const pts = data.points;
  if (pts.length === 0) return `<p class="sub">No report: the input had no valid access-log line.</p>`;
  const t0 = (pts[0] as ChartPoint).from;
  const t1 = Math.max((pts[pts.length - 1] as ChartPoint).to, t0 + 1);
  const yMax = niceMax(Math.max(1e-9, data.threshold ?? 0, ...pts.map((p) => p.peak)));
  const x = (t: number): number => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const at = (p: ChartPoint, v: number): string => `${x((p.from + p.to) / 2).toFixed(1)},${y(v).toFixed(1)}`;
  const line = pts.map((p) => at(p, pointRate(p))).join(" ");
  const peaks = pts.map((p) => at(p, p.peak)).join(" ");
  const base = y(0).toFixed(1);
  const area = `${x(t0).toFixed(1)},${base} ${line} ${x(t1).toFixed(1)},${base}`;
  const bands = data.alerts.map((a) => band(a, x, t1)).join("");
  const threshold =
    data.threshold === undefined
      ? ""
      : `<line class="threshold" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(data.threshold).toFixed(1)}" ` +
        `y2="${y(data.threshold).toFixed(1)}"><title>threshold ${data.threshold} req/s</title></line>`;
  return `<svg id="traffic" viewBox="0 0 ${W} ${H}" role="img" aria-label="requests per second over the period">
${bands}<polygon class="area" points="${area}"/><polyline class="peak" points="${peaks}"/>
<polyline class="rate" points="${line}"/>${threshold}${axes(t0, t1, yMax, x, y)}</svg>`;
}

function band(a: AlertPeriod, x: (t: number) => number, t1: number): string {
  const from = x(a.start);
  const to = x(a.end ?? t1);
  const what = `${a.message} (${time(a.start)} – ${a.end === undefined ? "still firing" : time(a.end)})`;
  return (
    `<rect class="alert" x="${from.toFixed(1)}" y="${PAD.top}" width="${Math.max(2, to - from).toFixed(1)}" ` +
    `height="${H - PAD.top - PAD.bottom}"><title>${escapeHtml(what)}</title></rect>`
  );
}

function axes(t0: number, t1: number, yMax: number, x: (t: number) => number, y: (v: number) => number): string {
  const parts = [
    `<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${y(0)}"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<text class="label" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${round(v)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    const anchor = i === 0 ? "start" : i === 4 ? "end" : "middle";
    const label = escapeHtml(time(Math.round(t)).replace(" UTC", ""));
    parts.push(`<text class="label" x="${x(t)}" y="${H - 8}" text-anchor="${anchor}">${label}</text>`);
  }
  return parts.join("");
}

function niceMax(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

function round(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1).replace(/\.0$/, "") : v.toFixed(2);
}

function alertTable(data: CollectedReport): string {
  if (data.alerts.length === 0) return `<p class="sub">No alert over the period.</p>`;
  const rows = data.alerts.map((a) => {
    const end = a.end === undefined ? `<span class="firing">still firing</span>` : escapeHtml(time(a.end));
    const minutes = a.end === undefined ? "-" : ((a.end - a.start) / 60_000).toFixed(1);
    const cells = [escapeHtml(time(a.start)), end, minutes, escapeHtml(a.message)];
    return `<tr><td>${cells[0]}</td><td>${cells[1]}</td><td class="n">${cells[2]}</td><td>${cells[3]}</td></tr>`;
  });
  const more = data.alertsDropped > 0 ? `<p class="sub">${data.alertsDropped} later alert periods not listed.</p>` : "";
  const head = "<tr><th>fired</th><th>recovered</th><th>minutes</th><th>alert</th></tr>";
  return `<h2>Alert periods</h2><table id="alerts">${head}
${rows.join("\n")}</table>${more}`;
}

function topTable(entries: TopEntry[], total: number, what: string): string {
  if (entries.length === 0) return `<p class="sub">none</p>`;
  const rows = entries.map(
    (e) =>
      `<tr><td class="name">${escapeHtml(e.name)}</td><td class="n">${e.hits.toLocaleString("en")}</td>` +
      `<td><meter min="0" max="${Math.max(1, total)}" value="${e.hits}"></meter></td></tr>`,
  );
  return `<table class="top"><tr><th>${escapeHtml(what)}</th><th>hits</th><th>share</th></tr>${rows.join("")}</table>`;
}

function statusTable(data: CollectedReport): string {
  const total = Object.values(data.status).reduce((a, b) => a + b, 0);
  return topTable(
    Object.entries(data.status).map(([name, hits]) => ({ name, hits })),
    total,
    "status",
  );
}
