// A metric family: labelled series found through one Map per label, and their Prometheus text lines.
import { LogwardError } from "./errors.js";

export type LabelValue = string | number;
/** Label values by name; a label left out (or undefined) is left out of the series, as prom-client did. */
export type Labels<L extends string = string> = Partial<Record<L, LabelValue>>;
export type MetricType = "counter" | "gauge" | "histogram";

/** A sample as `get()` returns it (prom-client's shape, which tests read). */
export interface MetricSample {
  labels: Record<string, LabelValue>;
  value: number;
  metricName?: string;
}
export interface MetricSnapshot {
  name: string;
  help: string;
  type: MetricType;
  values: MetricSample[];
}

/** A label value as a map key: numbers as strings, so 1 and "1" are one series (as in prom-client). */
export type Key = string | undefined;
type Node = Map<Key, unknown>;

/** One labelled series. `live` turns false on remove(), so a cached child finds (re-creates) its series. */
interface Series {
  readonly keys: readonly Key[];
  /** `a="x",b="y"`, built once when the series is created, never per scrape. */
  readonly labelText: string;
  live: boolean;
}
export interface ValueSeries extends Series {
  value: number;
}
export interface HistogramSeries extends Series {
  /** Observations per bucket (not cumulative: observe() adds to one slot, text() sums). */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export abstract class Metric<L extends string, S extends Series> {
  abstract readonly type: MetricType;
  private readonly root: Node = new Map();
  /** Insertion order is output order, as in prom-client. */
  protected readonly series = new Set<S>();
  private readonly known: ReadonlySet<string>;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    this.known = new Set(labelNames);
  }

  protected abstract make(keys: readonly Key[], labelText: string): S;
  protected abstract samples(series: S, lines: string[]): void;
  protected abstract snapshot(series: S, labels: Record<string, LabelValue>, out: MetricSample[]): void;

  /** Called at the end of subclass constructors: an unlabelled metric shows its zero from the start. */
  protected showZero(): void {
    if (this.labelNames.length === 0) this.find(undefined);
  }

  /** The series for these labels, created on first use: one Map lookup per label, no string built. */
  protected find(labels: Labels<L> | undefined): S {
    if (labels !== undefined) this.validate(labels);
    const names = this.labelNames;
    const last = names.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const key = keyOf(labels, names[i]!);
      let next = node.get(key) as Node | undefined;
      if (next === undefined) node.set(key, (next = new Map()));
      node = next;
    }
    const key = last < 0 ? undefined : keyOf(labels, names[last]!);
    return (node.get(key) as S | undefined) ?? this.add(node, key, labels);
  }

  private add(node: Node, key: Key, labels: Labels<L> | undefined): S {
    const keys = this.labelNames.map((name) => keyOf(labels, name));
    const text = keys.flatMap((value, i) =>
      value === undefined ? [] : [`${this.labelNames[i]}="${escapeLabelValue(value)}"`],
    );
    const series = this.make(keys, text.join(","));
    node.set(key, series);
    this.series.add(series);
    return series;
  }

  private validate(labels: Labels<L>): void {
    for (const name in labels) {
      if (!this.known.has(name))
        throw new LogwardError(
          "INTERNAL",
          `metric ${this.name}: label "${name}" is not one of [${this.labelNames.join(", ")}]`,
        );
    }
  }

  /**
   * A function returning the series of these labels: found on first use (as prom-client did), again only after a
   * remove().
   */
  protected bind(args: readonly (LabelValue | Labels<L>)[]): () => S {
    const labels = this.labelsOf(args);
    this.validate(labels);
    let series: S | undefined;
    return () => (series?.live ? series : (series = this.find(labels)));
  }

  private labelsOf(args: readonly (LabelValue | Labels<L>)[]): Labels<L> {
    const [first] = args;
    if (args.length === 1 && typeof first === "object") return first;
    if (args.length !== this.labelNames.length) {
      throw new LogwardError(
        "INTERNAL",
        `metric ${this.name}: ${args.length} label values for [${this.labelNames.join(", ")}]`,
      );
    }
    const labels: Labels<string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = args[i] as LabelValue));
    return labels as Labels<L>;
  }

  /** Drops the series of exactly these labels (e.g. a file no longer followed). */
  remove(labels: Labels<L>): void {
    this.validate(labels);
    const names = this.labelNames;
    let node: Node | undefined = this.root;
    for (let i = 0; i < names.length - 1 && node; i++) node = node.get(keyOf(labels, names[i]!)) as Node | undefined;
    const key = names.length === 0 ? undefined : keyOf(labels, names[names.length - 1]!);
    const series = node?.get(key) as S | undefined;
    if (!node || !series) return;
    node.delete(key);
    this.series.delete(series);
    series.live = false;
  }

  /** This metric's lines of the exposition, without a trailing newline. */
  exposition(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const series of this.series) this.samples(series, lines);
    return lines.join("\n");
  }

  /** The current values (for tests and introspection; prom-client's `get()` shape). */
  get(): Promise<MetricSnapshot> {
    const values: MetricSample[] = [];
    for (const series of this.series) {
      const labels: Record<string, LabelValue> = {};
      series.keys.forEach((value, i) => {
        if (value !== undefined) labels[this.labelNames[i]!] = value;
      });
      this.snapshot(series, labels, values);
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values });
  }
}

export abstract class ValueMetric<L extends string> extends Metric<L, ValueSeries> {
  protected make(keys: readonly Key[], labelText: string): ValueSeries {
    return { keys, labelText, live: true, value: 0 };
  }

  protected samples(series: ValueSeries, lines: string[]): void {
    lines.push(sampleLine(this.name, series.labelText, series.value));
  }

  protected snapshot(series: ValueSeries, labels: Record<string, LabelValue>, out: MetricSample[]): void {
    out.push({ labels, value: series.value });
  }
}

function keyOf<L extends string>(labels: Labels<L> | undefined, name: L): Key {
  const value = labels?.[name];
  return typeof value === "number" ? String(value) : value;
}

export function sampleLine(name: string, labelText: string, value: number): string {
  return labelText === "" ? `${name} ${formatNumber(value)}` : `${name}{${labelText}} ${formatNumber(value)}`;
}

/** Go-style sample values: integers without ".0", +Inf, -Inf, NaN. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
