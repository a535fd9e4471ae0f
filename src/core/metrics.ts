// Internal metrics: a small Prometheus registry (text format 0.0.4) shared by every component and /metrics.
// Written in-house because importing prom-client cost every `logward run` ≈ 25 ms and 13 MB RSS at start-up.
import { LogwardError } from "./errors.js";
import type { MetricType } from "./metric-family.js";
import { Counter, Gauge, Histogram } from "./metric-types.js";

export {
  formatNumber,
  type LabelValue,
  type Labels,
  type MetricSample,
  type MetricSnapshot,
  type MetricType,
} from "./metric-family.js";
export {
  Counter,
  DEFAULT_BUCKETS,
  Gauge,
  Histogram,
  type CounterChild,
  type GaugeChild,
  type HistogramChild,
} from "./metric-types.js";

/** The content type of `Metrics.text()`: the Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type AnyMetric = Counter | Gauge | Histogram;

/** One registry per daemon; metrics are created on first use and the same one is returned after. */
export class Metrics {
  private readonly metrics = new Map<string, AnyMetric>();

  /** A counter, created on first use; names get the logward_ prefix. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate("counter", name, labelNames, (full) => new Counter(full, help, labelNames)) as Counter<L>;
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate("gauge", name, labelNames, (full) => new Gauge(full, help, labelNames)) as Gauge<L>;
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: readonly number[],
  ): Histogram<L> {
    return this.getOrCreate(
      "histogram",
      name,
      labelNames,
      (full) => new Histogram(full, help, labelNames, buckets),
    ) as Histogram<L>;
  }

  /** The metric registered under its full name (with the logward_ prefix), if any. */
  getSingleMetric(fullName: string): AnyMetric | undefined {
    return this.metrics.get(fullName);
  }

  /** The Prometheus text exposition (format 0.0.4) of everything registered, laid out as prom-client did. */
  text(): Promise<string> {
    const families = [...this.metrics.values()].map((metric) => metric.exposition());
    return Promise.resolve(`${families.join("\n\n")}\n`);
  }

  private getOrCreate(
    type: MetricType,
    name: string,
    labelNames: readonly string[],
    make: (fullName: string) => AnyMetric,
  ): AnyMetric {
    const fullName = `logward_${name}`;
    const existing = this.metrics.get(fullName);
    if (existing) {
      if (existing.type !== type || existing.labelNames.join() !== labelNames.join()) {
        throw new LogwardError(
          "INTERNAL",
          `metric ${fullName} is already a ${existing.type} with labels [${existing.labelNames.join(", ")}]`,
        );
      }
      return existing;
    }
    checkNames(fullName, labelNames);
    const metric = make(fullName);
    this.metrics.set(fullName, metric);
    return metric;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(fullName: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(fullName)) throw new LogwardError("INTERNAL", `invalid metric name: ${fullName}`);
  const bad = labelNames.find(
    (label, i) => !LABEL_NAME.test(label) || label.startsWith("__") || labelNames.indexOf(label) !== i,
  );
  if (bad !== undefined)
    throw new LogwardError("INTERNAL", `metric ${fullName}: invalid or repeated label name "${bad}"`);
}
