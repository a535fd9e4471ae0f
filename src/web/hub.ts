// The web hub: what the daemon hands the browser view — per-source line history, stats reports, alerts.
import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import type { LogRecord } from "../core/record.js";
import { Ring } from "./ring.js";
import { summarizeReport, type TrafficSummary } from "./summary.js";

/**
 * One line as the browser sees it; n is the per-source sequence number, g the hub-wide one (both from 1, never
 * reused): a stream of every source resumes on g, since each source's n runs on its own.
 */
export interface HubLine {
  n: number;
  g: number;
  source: string;
  time: number;
  line: string;
  file?: string;
  host?: string;
  /** Rules whose pattern matched this line. */
  rules?: string[];
  /** Set when `line` was cut to the display limit: the whole line's length in characters. */
  cut?: number;
}

export interface SourceSummary {
  name: string;
  type: string;
  path?: string;
  /** Lines seen since start (also the n of the newest). */
  lines: number;
  /** Lines held in history. */
  held: number;
}

export interface StatsEntry {
  job: string;
  /** When the hub received it. */
  received: number;
  summary: TrafficSummary;
  report: unknown;
}

export interface AlertEntry {
  time: number;
  kind: LogEvent["kind"];
  rule: string;
  source: string;
  message: string;
  count: number;
  data?: Record<string, unknown>;
}

export type LinesListener = (lines: HubLine[]) => void;

/** A stats report or an alert as it reaches the hub (what /api/events pushes and the history file keeps). */
export type HubEvent = { type: "report"; entry: StatsEntry } | { type: "alert"; entry: AlertEntry };
export type EventListener = (event: HubEvent) => void;

/** Where a stream reads: one source by name, or every source (null) in hub order. */
export type Feed = string | null;

export interface WebHub {
  /** Changes every time a hub is created: a stream id from another hub (a restart) cannot resume here. */
  readonly epoch: string;
  readonly historyLines: number;
  /** Most characters one source's history holds (lines are evicted, oldest first, to stay under it). */
  readonly historyBytes: number;
  addSource(name: string, info: { type: string; path?: string }): void;
  pushRecords(records: LogRecord[], matches?: ReadonlyMap<LogRecord, string[]>): void;
  pushStats(job: string, report: unknown): void;
  pushAlert(event: LogEvent): void;
  sources(): SourceSummary[];
  hasSource(name: string): boolean;
  /** The newest `lines` lines of a source (null: of every source), oldest first. */
  tail(source: Feed, lines: number): HubLine[];
  /**
   * Lines after sequence number `after` (n for a source, g for null: every source), and how many of those
   * history no longer holds.
   */
  since(source: Feed, after: number): { lines: HubLine[]; missed: number };
  /** Called synchronously with every batch pushed for the source (null: for any source); returns the unsubscribe. */
  subscribe(source: Feed, listener: LinesListener): () => void;
  /** Called synchronously with every stats report and alert; returns the unsubscribe. */
  subscribeEvents(listener: EventListener): () => void;
  /** Per job, its recent reports, oldest first. */
  stats(): Record<string, StatsEntry[]>;
  /** Recent alerts, oldest first. */
  alerts(): AlertEntry[];
  /** Put back reports and alerts kept from before a restart (oldest first), telling no listener. */
  restore(reports: readonly Omit<StatsEntry, "summary">[], alerts: readonly AlertEntry[]): void;
}

export interface WebHubOptions {
  /** Lines kept per source (default 1000). */
  historyLines?: number;
  /** Characters kept per source, lines' text and overhead counted (default 4 MiB). */
  historyBytes?: number;
  /** Longer lines are cut to this many characters for the view (default 64 KiB); the rules see them whole. */
  maxLineChars?: number;
  /** Reports kept per stats job (default 360: an hour of 10 s reports). */
  statsReports?: number;
  /** Alerts kept (default 500). */
  alertEntries?: number;
  clock: Clock;
}

interface SourceState {
  info: { type: string; path?: string };
  ring: Ring<HubLine>;
  seen: number;
  listeners: Set<LinesListener>;
}

export function createWebHub(options: WebHubOptions): WebHub {
  const { clock } = options;
  const historyLines = options.historyLines ?? 1000;
  const historyBytes = options.historyBytes ?? DEFAULT_HISTORY_BYTES;
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const budget = { maxBytes: historyBytes, weigh: weighLine };
  const statsReports = options.statsReports ?? 360;
  const sources = new Map<string, SourceState>();
  const statsByJob = new Map<string, Ring<StatsEntry>>();
  const alertRing = new Ring<AlertEntry>(options.alertEntries ?? 500);
  // Every source's lines in one history: the same line objects as the sources' rings, so it costs references only.
  const all = { ring: new Ring<HubLine>(historyLines, budget), seen: 0, listeners: new Set<LinesListener>() };
  const eventListeners = new Set<EventListener>();
  const tell = (event: HubEvent): void => {
    for (const listener of [...eventListeners]) listener(event);
  };
  const keepReport = (entry: StatsEntry): void => {
    let ring = statsByJob.get(entry.job);
    if (!ring) statsByJob.set(entry.job, (ring = new Ring(statsReports)));
    ring.push(entry);
  };
  const feed = (source: Feed): { ring: Ring<HubLine>; seen: number } | undefined =>
    source === null ? all : sources.get(source);

  const ensure = (name: string, info: { type: string; path?: string } = { type: "unknown" }): SourceState => {
    let state = sources.get(name);
    if (!state)
      sources.set(name, (state = { info, ring: new Ring(historyLines, budget), seen: 0, listeners: new Set() }));
    return state;
  };

  return {
    epoch: clock.now().toString(36) + randomBytes(3).toString("hex"),
    historyLines,
    historyBytes,
    addSource(name, info) {
      ensure(name, info).info = { ...info };
    },
    pushRecords(records, matches) {
      for (const [name, group] of groupBySource(records)) {
        const state = ensure(name);
        const lines = group.map((record) =>
          toHubLine(record, ++state.seen, ++all.seen, matches?.get(record), maxLineChars),
        );
        for (const line of lines) {
          state.ring.push(line);
          all.ring.push(line);
        }
        for (const listener of [...state.listeners]) listener(lines);
        for (const listener of [...all.listeners]) listener(lines);
      }
    },
    pushStats(job, report) {
      const entry: StatsEntry = { job, received: clock.now(), summary: summarizeReport(report), report };
      keepReport(entry);
      tell({ type: "report", entry });
    },
    pushAlert(event) {
      const entry = toAlertEntry(event);
      alertRing.push(entry);
      tell({ type: "alert", entry });
    },
    sources: () => [...sources].map(([name, s]) => ({ name, ...s.info, lines: s.seen, held: s.ring.size })),
    hasSource: (name) => sources.has(name),
    tail: (source, lines) => feed(source)?.ring.last(lines) ?? [],
    since(source, after) {
      const state = feed(source);
      if (!state || after >= state.seen) return { lines: [], missed: 0 };
      const oldest = state.seen - state.ring.size + 1; // n of the oldest line held
      const from = Math.max(after + 1, oldest);
      return { lines: state.ring.from(from - oldest), missed: from - (after + 1) };
    },
    subscribe(source, listener) {
      const state = source === null ? all : ensure(source);
      state.listeners.add(listener);
      return () => void state.listeners.delete(listener);
    },
    subscribeEvents(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    stats: () => Object.fromEntries([...statsByJob].map(([job, ring]) => [job, ring.last(ring.size)])),
    alerts: () => alertRing.last(alertRing.size),
    restore(reports, alerts) {
      for (const r of reports) keepReport({ ...r, summary: summarizeReport(r.report) });
      for (const a of alerts) alertRing.push(a);
    },
  };
}

const DEFAULT_HISTORY_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_LINE_CHARS = 64 * 1024;
/** What a held line costs beyond its text: the object, its numbers, the shared source and file names. */
const LINE_OVERHEAD = 96;

function weighLine(line: HubLine): number {
  return line.line.length + LINE_OVERHEAD;
}

/**
 * The first maxChars characters as a string of their own: a plain slice would keep the whole (maybe huge)
 * line alive behind it. A surrogate pair is not split.
 */
export function cutLine(text: string, maxChars: number): string {
  const end = /[\uD800-\uDBFF]/.test(text[maxChars - 1] ?? "") ? maxChars - 1 : maxChars;
  return Buffer.from(text.slice(0, end), "utf16le").toString("utf16le");
}

function groupBySource(records: LogRecord[]): Map<string, LogRecord[]> {
  const groups = new Map<string, LogRecord[]>();
  for (const record of records) {
    const group = groups.get(record.source);
    if (group) group.push(record);
    else groups.set(record.source, [record]);
  }
  return groups;
}

function toHubLine(record: LogRecord, n: number, g: number, rules: string[] | undefined, maxChars: number): HubLine {
  const text = record.line.length > maxChars ? cutLine(record.line, maxChars) : record.line;
  const line: HubLine = { n, g, source: record.source, time: record.time, line: text };
  if (text !== record.line) line.cut = record.line.length;
  if (record.file !== undefined) line.file = record.file;
  if (record.host !== undefined) line.host = record.host;
  if (rules && rules.length > 0) line.rules = [...rules];
  return line;
}

/** Most characters of an alert's message kept: it may be a whole log line, and alerts are kept and sent again. */
const MAX_ALERT_CHARS = 4096;

function toAlertEntry(event: LogEvent): AlertEntry {
  const text = event.message ?? event.match ?? event.records[event.records.length - 1]?.line ?? "";
  const message = text.length > MAX_ALERT_CHARS ? cutLine(text, MAX_ALERT_CHARS) : text;
  const entry: AlertEntry = {
    time: event.time,
    kind: event.kind,
    rule: event.rule,
    source: event.source,
    message,
    count: event.count,
  };
  if (event.data) entry.data = event.data;
  return entry;
}
