// Reading a stats report of unknown shape into the few numbers the traffic panel charts.

export interface SectionHits {
  name: string;
  hits: number;
}

export interface TrafficSummary {
  /** Requests per second over the report's interval. */
  rate?: number;
  hits?: number;
  /** End of the report's interval (ms since the epoch), when the report says. */
  time?: number;
  sections: SectionHits[];
  /** The alert threshold in req/s, and whether the alert is firing, when the job has an alert. */
  threshold?: number;
  firing?: boolean;
}

type Obj = Record<string, unknown>;

const RATE_KEYS = ["rate", "req_per_s", "reqPerSec", "requestsPerSecond", "rps"];
const HITS_KEYS = ["hits", "requests", "count", "total"];
const SECTION_KEYS = ["sections", "top_sections", "topSections", "top"];
const END_KEYS = ["end", "to", "until", "at", "time"];
const START_KEYS = ["start", "from", "since"];

/**
 * Pick rate, hits, interval end and top sections out of a report, accepting the usual spellings, so
 * the panel keeps working whatever exact shape the stats module settles on. Missing values stay undefined.
 */
export function summarizeReport(report: unknown): TrafficSummary {
  if (!isObj(report)) return { sections: [] };
  const hits = pickNumber(report, HITS_KEYS);
  const time = pickTime(report, END_KEYS);
  let rate = pickNumber(report, RATE_KEYS);
  if (rate === undefined && hits !== undefined) {
    const start = pickTime(report, START_KEYS);
    const intervalMs =
      pickNumber(report, ["interval", "interval_ms", "intervalMs"]) ??
      (start !== undefined && time !== undefined ? time - start : undefined);
    if (intervalMs && intervalMs > 0) rate = hits / (intervalMs / 1000);
  }
  const summary: TrafficSummary = { sections: pickSections(report) };
  if (rate !== undefined) summary.rate = rate;
  if (hits !== undefined) summary.hits = hits;
  if (time !== undefined) summary.time = time;
  const threshold = pickNumber(report, ["threshold", "above"]);
  if (threshold !== undefined) summary.threshold = threshold;
  if (typeof report.firing === "boolean") summary.firing = report.firing;
  return summary;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pickNumber(o: Obj, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

function pickTime(o: Obj, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "number" && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v; // epoch seconds or ms
    if (typeof v === "string") {
      const ms = Date.parse(v);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return undefined;
}

function pickSections(o: Obj): SectionHits[] {
  for (const k of SECTION_KEYS) {
    const v = o[k];
    if (Array.isArray(v)) return v.map(toSection).filter((s): s is SectionHits => s !== undefined);
    if (isObj(v)) {
      return Object.entries(v)
        .filter((e): e is [string, number] => typeof e[1] === "number")
        .map(([name, hits]) => ({ name, hits }))
        .sort((a, b) => b.hits - a.hits);
    }
  }
  return [];
}

function toSection(item: unknown): SectionHits | undefined {
  if (Array.isArray(item) && typeof item[0] === "string" && typeof item[1] === "number")
    return { name: item[0], hits: item[1] };
  if (!isObj(item)) return undefined;
  const name = ["section", "name", "key", "path"].map((k) => item[k]).find((v) => typeof v === "string");
  const hits = pickNumber(item, ["hits", "count", "requests", "value"]);
  return typeof name === "string" && hits !== undefined ? { name, hits } : undefined;
}
