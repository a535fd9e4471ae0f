// The web history file's format: one JSON record a line after a header; reading it back tolerates a torn end.
import type { AlertEntry, StatsEntry } from "./hub.js";

export const HISTORY_VERSION = 1;
export const HISTORY_HEADER = JSON.stringify({ logward: "web-history", version: HISTORY_VERSION });

/** A stats report as kept: its summary is derived again from the report on load. */
export type KeptReport = Omit<StatsEntry, "summary">;

export interface ParsedHistory {
  reports: KeptReport[];
  alerts: AlertEntry[];
  /** Lines that were not a record (a torn last line counts). */
  bad: number;
  /** The file says it is from a newer version of logward: nothing was read from it. */
  newer: boolean;
  /** The only bad line was the last one, cut short (a crash mid-write). */
  tornEnd: boolean;
  /** The file began with our header (so it is ours even when it holds no record yet). */
  header: boolean;
}

export function reportLine(entry: KeptReport): string {
  return JSON.stringify({ report: { job: entry.job, received: entry.received, report: entry.report } }) + "\n";
}

export function alertLine(entry: AlertEntry): string {
  return JSON.stringify({ alert: entry }) + "\n";
}

const KINDS = new Set(["match", "threshold", "alert", "recovery", "stats"]);
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

function toReport(v: unknown): KeptReport | undefined {
  if (!isObj(v) || typeof v.job !== "string" || !isTime(v.received)) return undefined;
  return { job: v.job, received: v.received, report: v.report ?? null };
}

function toAlert(v: unknown): AlertEntry | undefined {
  if (!isObj(v) || !isTime(v.time) || typeof v.kind !== "string" || !KINDS.has(v.kind)) return undefined;
  if (typeof v.rule !== "string" || typeof v.source !== "string" || typeof v.message !== "string") return undefined;
  if (typeof v.count !== "number") return undefined;
  const entry: AlertEntry = {
    time: v.time,
    kind: v.kind as AlertEntry["kind"],
    rule: v.rule,
    source: v.source,
    message: v.message,
    count: v.count,
  };
  if (isObj(v.data)) entry.data = v.data;
  return entry;
}

function parseRecord(line: string): { report?: KeptReport; alert?: AlertEntry; header?: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(value)) return undefined;
  if (value.logward === "web-history") return typeof value.version === "number" ? { header: value.version } : undefined;
  if ("report" in value) {
    const report = toReport(value.report);
    return report && { report };
  }
  const alert = toAlert(value.alert);
  return alert && { alert };
}

/**
 * The records of a history file's text, those older than `since` left out. `partial`: the text is the end of a
 * larger file, so its first line is probably cut and is skipped.
 */
export function parseHistory(text: string, since: number, partial: boolean): ParsedHistory {
  const out: ParsedHistory = { reports: [], alerts: [], bad: 0, newer: false, tornEnd: false, header: false };
  const lines = text.split("\n");
  const endsClean = lines[lines.length - 1] === "";
  if (endsClean) lines.pop();
  if (partial) lines.shift();
  lines.forEach((line, i) => {
    if (line === "") return;
    const record = parseRecord(line);
    if (!record) {
      out.bad++;
      if (i === lines.length - 1 && !endsClean && out.bad === 1) out.tornEnd = true;
      return;
    }
    if (record.header !== undefined) out.header = true;
    if (record.header !== undefined && record.header > HISTORY_VERSION) out.newer = true;
    if (record.report && record.report.received >= since) out.reports.push(record.report);
    if (record.alert && record.alert.time >= since) out.alerts.push(record.alert);
  });
  if (out.newer) return { reports: [], alerts: [], bad: 0, newer: true, tornEnd: false, header: true };
  return out;
}
