// Internal metrics: one prom-client registry per daemon, shared by every component and /metrics.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();

  /** A counter, created on first use; names get the logward_ prefix. */
  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return getOrCreate(this.counters, name, () => new Counter({ name: `logward_${name}`, help, labelNames, registers: [this.registry] }));
  }

  gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return getOrCreate(this.gauges, name, () => new Gauge({ name: `logward_${name}`, help, labelNames, registers: [this.registry] }));
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram {
    return getOrCreate(this.histograms, name, () =>
      new Histogram({ name: `logward_${name}`, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) }),
    );
  }

  /** The Prometheus text exposition of everything registered. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function getOrCreate<T>(map: Map<string, T>, name: string, make: () => T): T {
  let metric = map.get(name);
  if (!metric) {
    metric = make();
    map.set(name, metric);
  }
  return metric;
}
