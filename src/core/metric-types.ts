// The metric types: counters, gauges and histograms, each with a child bound to one label set for hot paths.
import { LogwardError } from "./errors.js";
import {
  Metric,
  ValueMetric,
  formatNumber,
  sampleLine,
  type HistogramSeries,
  type Key,
  type LabelValue,
  type Labels,
  type MetricSample,
} from "./metric-family.js";

/** prom-client's default histogram buckets, kept so dashboards built on them see the same `le` values. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface CounterChild {
  inc(amount?: number): void;
}

export class Counter<L extends string = string> extends ValueMetric<L> {
  readonly type = "counter";

  constructor(name: string, help: string, labelNames: readonly L[]) {
    super(name, help, labelNames);
    this.showZero();
  }

  inc(amount?: number): void;
  inc(labels: Labels<L>, amount?: number): void;
  inc(labelsOrAmount?: Labels<L> | number, amount?: number): void {
    const labelled = typeof labelsOrAmount === "object";
    const n = counterStep(this.name, labelled ? amount : labelsOrAmount);
    this.find(labelled ? labelsOrAmount : undefined).value += n;
  }

  /** A child bound to one label set: cache it on hot paths, its inc() is a check and an add. */
  labels(labels: Labels<L>): CounterChild;
  labels(...values: LabelValue[]): CounterChild;
  labels(...args: (LabelValue | Labels<L>)[]): CounterChild {
    const series = this.bind(args);
    return { inc: (amount) => void (series().value += counterStep(this.name, amount)) };
  }
}

/** prom-client's rules: default 1, no decrease, no infinity (NaN slips through there too, kept for parity). */
function counterStep(name: string, amount: number | undefined): number {
  if (amount === undefined) return 1;
  if (amount < 0) throw new LogwardError("INTERNAL", `metric ${name}: a counter cannot decrease (${amount})`);
  if (amount === Infinity) throw new LogwardError("INTERNAL", `metric ${name}: not a valid number: ${amount}`);
  return amount;
}

export interface GaugeChild {
  set(value: number): void;
  inc(amount?: number): void;
  dec(amount?: number): void;
}

export class Gauge<L extends string = string> extends ValueMetric<L> {
  readonly type = "gauge";

  constructor(name: string, help: string, labelNames: readonly L[]) {
    super(name, help, labelNames);
    this.showZero();
  }

  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
  set(labelsOrValue: Labels<L> | number, value?: number): void {
    const labelled = typeof labelsOrValue === "object";
    const v = gaugeValue(this.name, labelled ? value : labelsOrValue);
    this.find(labelled ? labelsOrValue : undefined).value = v;
  }

  inc(amount?: number): void;
  inc(labels: Labels<L>, amount?: number): void;
  inc(labelsOrAmount?: Labels<L> | number, amount?: number): void {
    const labelled = typeof labelsOrAmount === "object";
    const n = gaugeValue(this.name, (labelled ? amount : labelsOrAmount) ?? 1);
    this.find(labelled ? labelsOrAmount : undefined).value += n;
  }

  dec(amount?: number): void;
  dec(labels: Labels<L>, amount?: number): void;
  dec(labelsOrAmount?: Labels<L> | number, amount?: number): void {
    const labelled = typeof labelsOrAmount === "object";
    const n = gaugeValue(this.name, (labelled ? amount : labelsOrAmount) ?? 1);
    this.find(labelled ? labelsOrAmount : undefined).value -= n;
  }

  labels(labels: Labels<L>): GaugeChild;
  labels(...values: LabelValue[]): GaugeChild;
  labels(...args: (LabelValue | Labels<L>)[]): GaugeChild {
    const series = this.bind(args);
    return {
      set: (value) => void (series().value = gaugeValue(this.name, value)),
      inc: (amount = 1) => void (series().value += gaugeValue(this.name, amount)),
      dec: (amount = 1) => void (series().value -= gaugeValue(this.name, amount)),
    };
  }
}

function gaugeValue(name: string, value: number | undefined): number {
  if (typeof value !== "number")
    throw new LogwardError("INTERNAL", `metric ${name}: not a valid number: ${String(value)}`);
  return value;
}

export interface HistogramChild {
  observe(value: number): void;
}

export class Histogram<L extends string = string> extends Metric<L, HistogramSeries> {
  readonly type = "histogram";
  private readonly bounds: readonly number[];
  /** `le="0.05"` for each bound, then `le="+Inf"`. */
  private readonly le: readonly string[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    if (labelNames.some((label) => label === "le"))
      throw new LogwardError("INTERNAL", `metric ${name}: "le" is reserved for histogram buckets`);
    if (!buckets.every((bound, i) => Number.isFinite(bound) && (i === 0 || bound > buckets[i - 1]!))) {
      throw new LogwardError(
        "INTERNAL",
        `metric ${name}: buckets must be finite and increasing: [${buckets.join(", ")}]`,
      );
    }
    this.bounds = [...buckets];
    this.le = [...buckets.map((bound) => `le="${formatNumber(bound)}"`), `le="+Inf"`];
    this.showZero();
  }

  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
  observe(labelsOrValue: Labels<L> | number, value?: number): void {
    const labelled = typeof labelsOrValue === "object";
    const v = observation(this.name, labelled ? value : labelsOrValue);
    record(this.find(labelled ? labelsOrValue : undefined), this.bounds, v);
  }

  labels(labels: Labels<L>): HistogramChild;
  labels(...values: LabelValue[]): HistogramChild;
  labels(...args: (LabelValue | Labels<L>)[]): HistogramChild {
    const series = this.bind(args);
    return { observe: (value) => record(series(), this.bounds, observation(this.name, value)) };
  }

  protected make(keys: readonly Key[], labelText: string): HistogramSeries {
    return { keys, labelText, live: true, counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }

  protected samples(series: HistogramSeries, lines: string[]): void {
    const prefix = series.labelText === "" ? "" : `${series.labelText},`;
    let cumulative = 0;
    this.le.forEach((le, i) => {
      cumulative = i < series.counts.length ? cumulative + series.counts[i]! : series.count;
      lines.push(sampleLine(`${this.name}_bucket`, prefix + le, cumulative));
    });
    lines.push(
      sampleLine(`${this.name}_sum`, series.labelText, series.sum),
      sampleLine(`${this.name}_count`, series.labelText, series.count),
    );
  }

  protected snapshot(series: HistogramSeries, labels: Record<string, LabelValue>, out: MetricSample[]): void {
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i]!;
      out.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    out.push({ labels: { ...labels, le: "+Inf" }, value: series.count, metricName: `${this.name}_bucket` });
    out.push(
      { labels, value: series.sum, metricName: `${this.name}_sum` },
      { labels, value: series.count, metricName: `${this.name}_count` },
    );
  }
}

function observation(name: string, value: number | undefined): number {
  if (!Number.isFinite(value))
    throw new LogwardError("INTERNAL", `metric ${name}: not a valid observation: ${String(value)}`);
  return value as number;
}

/** Adds one observation; a value above every bound only counts towards +Inf (the total count). */
function record(series: HistogramSeries, bounds: readonly number[], value: number): void {
  series.sum += value;
  series.count += 1;
  for (let i = 0; i < bounds.length; i++) {
    if (value <= bounds[i]!) {
      series.counts[i]! += 1;
      return;
    }
  }
}
