// The in-house metrics registry: exact Prometheus text for each type, escaping, buckets, get-or-create, children.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { METRICS_CONTENT_TYPE, Metrics, formatNumber } from "./metrics.js";

describe("exposition text", () => {
  it("writes HELP, TYPE and samples per family, a blank line between families and a final newline", async () => {
    const m = new Metrics();
    m.counter("writes_total", "Files written").inc();
    const bytes = m.counter("bytes_total", "Bytes read", ["source", "file"]);
    bytes.inc({ source: "app", file: "/a.log" }, 4096);
    bytes.inc({ source: "app", file: "/b.log" });
    bytes.inc({ source: "app", file: "/a.log" }, 1);
    expect(await m.text()).toBe(
      [
        "# HELP logward_writes_total Files written",
        "# TYPE logward_writes_total counter",
        "logward_writes_total 1",
        "",
        "# HELP logward_bytes_total Bytes read",
        "# TYPE logward_bytes_total counter",
        'logward_bytes_total{source="app",file="/a.log"} 4097',
        'logward_bytes_total{source="app",file="/b.log"} 1',
        "",
      ].join("\n"),
    );
    expect(METRICS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("shows an unlabelled metric at zero from the start and a labelled one only once used", async () => {
    const m = new Metrics();
    m.counter("a_total", "A");
    m.gauge("b", "B", ["job"]);
    expect(await m.text()).toBe(
      "# HELP logward_a_total A\n# TYPE logward_a_total counter\nlogward_a_total 0\n\n" +
        "# HELP logward_b B\n# TYPE logward_b gauge\n",
    );
    expect(await new Metrics().text()).toBe("\n");
  });

  it("sets, raises and lowers gauges, with or without labels", async () => {
    const m = new Metrics();
    const clients = m.gauge("clients", "Clients");
    clients.inc();
    clients.inc(2);
    clients.dec();
    const depth = m.gauge("depth", "Depth", ["action"]);
    depth.set({ action: "hook" }, 7);
    depth.inc({ action: "hook" }, 3);
    depth.dec({ action: "hook" });
    depth.set({ action: "slack" }, -1.5);
    expect(await m.text()).toContain(
      "logward_clients 2\n\n# HELP logward_depth Depth\n# TYPE logward_depth gauge\n" +
        'logward_depth{action="hook"} 9\nlogward_depth{action="slack"} -1.5\n',
    );
  });

  it("formats values as Prometheus does: integers bare, +Inf, -Inf, NaN", async () => {
    expect([0, 3, -2, 0.25, 1e21, Infinity, -Infinity, NaN].map(formatNumber)).toEqual([
      "0",
      "3",
      "-2",
      "0.25",
      "1e+21",
      "+Inf",
      "-Inf",
      "NaN",
    ]);
    const m = new Metrics();
    m.gauge("g", "G").set(NaN);
    expect(await m.text()).toContain("logward_g NaN\n");
  });

  it("writes labels in declared order whatever order the caller's object has", async () => {
    const m = new Metrics();
    m.counter("runs_total", "Runs", ["action", "rule", "result"]).inc({ result: "ok", action: "x", rule: "r" });
    expect(await m.text()).toContain('logward_runs_total{action="x",rule="r",result="ok"} 1\n');
  });

  it('leaves out labels the caller did not give, and treats 1 and "1" as the same value', async () => {
    const m = new Metrics();
    const c = m.counter("c_total", "C", ["a", "b"]);
    c.inc({ a: "x" });
    c.inc();
    c.inc({ a: 1, b: "y" });
    c.inc({ a: "1", b: "y" });
    expect(await m.text()).toContain('logward_c_total{a="x"} 1\nlogward_c_total 1\nlogward_c_total{a="1",b="y"} 2\n');
  });
});

describe("escaping", () => {
  it("escapes backslash and newline in HELP, and backslash, quote and newline in label values", async () => {
    const m = new Metrics();
    const c = m.counter("esc_total", 'a back\\slash, a\nnewline and "quotes"', ["v"]);
    c.inc({ v: 'say "hi"\\\nbye ☃' });
    expect(await m.text()).toBe(
      '# HELP logward_esc_total a back\\\\slash, a\\nnewline and "quotes"\n# TYPE logward_esc_total counter\n' +
        'logward_esc_total{v="say \\"hi\\"\\\\\\nbye ☃"} 1\n',
    );
  });

  it("label values read back to exactly what was given (any string)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary" }), async (value) => {
        const m = new Metrics();
        m.counter("v_total", "V", ["v"]).inc({ v: value });
        const line = (await m.text()).split("\n")[2] ?? "";
        const quoted = /^logward_v_total\{v="((?:[^"\\\n]|\\[\\"n])*)"\} 1$/.exec(line);
        expect(quoted).not.toBeNull();
        expect(quoted![1]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))).toBe(value);
      }),
    );
  });
});

describe("histograms", () => {
  it("writes cumulative buckets up to +Inf, then _sum and _count, labels before le", async () => {
    const m = new Metrics();
    const h = m.histogram("request_seconds", "Request time", ["action"], [0.1, 1, 5]);
    for (const seconds of [0.05, 0.1, 0.5, 1, 7, 30]) h.observe({ action: "hook" }, seconds);
    expect(await m.text()).toBe(
      [
        "# HELP logward_request_seconds Request time",
        "# TYPE logward_request_seconds histogram",
        'logward_request_seconds_bucket{action="hook",le="0.1"} 2',
        'logward_request_seconds_bucket{action="hook",le="1"} 4',
        'logward_request_seconds_bucket{action="hook",le="5"} 4',
        'logward_request_seconds_bucket{action="hook",le="+Inf"} 6',
        'logward_request_seconds_sum{action="hook"} 38.65',
        'logward_request_seconds_count{action="hook"} 6',
        "",
      ].join("\n"),
    );
  });

  it("uses prom-client's default buckets and shows an unlabelled histogram at zero", async () => {
    const m = new Metrics();
    m.histogram("t", "T");
    const le = [...(await m.text()).matchAll(/le="([^"]+)"\} 0/g)].map((match) => match[1]);
    expect(le).toEqual(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]);
    expect(await m.text()).toContain("logward_t_sum 0\nlogward_t_count 0\n");
  });

  it("rejects unordered or infinite buckets, an le label and non-finite observations", () => {
    const m = new Metrics();
    expect(() => m.histogram("a", "A", [], [1, 0.5])).toThrow(/increasing/);
    expect(() => m.histogram("b", "B", [], [1, Infinity])).toThrow(/finite/);
    expect(() => m.histogram("c", "C", ["le"])).toThrow(/reserved/);
    expect(() => m.histogram("d", "D").observe(Infinity)).toThrow(/not a valid observation/);
  });

  it("counts each observation in the first bucket it fits, whatever the values (against a plain count)", async () => {
    const bounds = [-1, 0, 0.5, 2, 10];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -100, max: 100, noNaN: true })), async (values) => {
        const m = new Metrics();
        const h = m.histogram("h", "H", [], bounds);
        values.forEach((v) => h.observe(v));
        const text = await m.text();
        for (const bound of bounds)
          expect(text).toContain(`logward_h_bucket{le="${bound}"} ${values.filter((v) => v <= bound).length}\n`);
        expect(text).toContain(
          `logward_h_bucket{le="+Inf"} ${values.length}\n` +
            `logward_h_sum ${formatNumber(values.reduce((a, b) => a + b, 0))}\n`,
        );
      }),
    );
  });
});

describe("registry", () => {
  it("returns the same metric for the same name, and refuses a different type or label set", () => {
    const m = new Metrics();
    const c = m.counter("x_total", "X", ["job"]);
    expect(m.counter("x_total", "X", ["job"])).toBe(c);
    expect(m.getSingleMetric("logward_x_total")).toBe(c);
    expect(() => m.gauge("x_total", "X", ["job"])).toThrow(/already a counter/);
    expect(() => m.counter("x_total", "X", ["job", "kind"])).toThrow(/already a counter/);
  });

  it("refuses bad names, unknown labels and counters going down", () => {
    const m = new Metrics();
    expect(() => m.counter("bad-name", "B")).toThrow(/invalid metric name/);
    expect(() => m.counter("twice_total", "T", ["a", "a"])).toThrow(/repeated label/);
    const c = m.counter("c_total", "C", ["job"]);
    expect(() => c.inc({ job: "x", other: "y" } as { job: string })).toThrow(/label "other"/);
    expect(() => c.inc({ job: "x" }, -1)).toThrow(/cannot decrease/);
    expect(() => c.inc(Infinity)).toThrow(/not a valid number/);
  });

  it("get() gives prom-client's shape, which tests read", async () => {
    const m = new Metrics();
    m.counter("d_total", "D").inc(5);
    m.gauge("g", "G", ["job"]).set({ job: "w" }, 2);
    expect(await m.getSingleMetric("logward_d_total")?.get()).toEqual({
      name: "logward_d_total",
      help: "D",
      type: "counter",
      values: [{ labels: {}, value: 5 }],
    });
    expect((await m.getSingleMetric("logward_g")?.get())?.values).toEqual([{ labels: { job: "w" }, value: 2 }]);
  });

  it("remove() drops a series; a child cached before it starts afresh; an unused child shows nothing", async () => {
    const m = new Metrics();
    const lag = m.gauge("lag", "Lag", ["file"]);
    const child = lag.labels("/a");
    child.set(5);
    lag.set({ file: "/b" }, 1);
    lag.labels("/never-used");
    lag.remove({ file: "/a" });
    expect(await m.text()).not.toMatch(/\/a"|never-used/);
    child.inc();
    expect(await m.text()).toContain('logward_lag{file="/b"} 1\nlogward_lag{file="/a"} 1\n');
  });
});

describe("children", () => {
  type Op = { kind: "counter" | "gauge" | "histogram"; a: string; b: string; value: number; remove: boolean };
  const op = fc.record({
    kind: fc.constantFrom("counter" as const, "gauge" as const, "histogram" as const),
    a: fc.constantFrom("x", "y", 'q"\\'),
    b: fc.constantFrom("1", "2"),
    value: fc.integer({ min: 0, max: 1000 }).map((n) => n / 8),
    remove: fc.boolean(),
  });

  /** Applies the ops through labels(...) children (cached per label set) or through the plain calls. */
  function run(ops: Op[], viaChildren: boolean): Promise<string> {
    const m = new Metrics();
    const c = m.counter("c_total", "C", ["a", "b"]);
    const g = m.gauge("g", "G", ["a", "b"]);
    const h = m.histogram("h", "H", ["a", "b"], [1, 10, 100]);
    const children = new Map<
      string,
      { c: ReturnType<typeof c.labels>; g: ReturnType<typeof g.labels>; h: ReturnType<typeof h.labels> }
    >();
    for (const { kind, a, b, value, remove } of ops) {
      const metric = { counter: c, gauge: g, histogram: h }[kind];
      if (remove) {
        metric.remove({ a, b });
        continue;
      }
      const key = `${a}\0${b}`;
      if (!children.has(key)) children.set(key, { c: c.labels(a, b), g: g.labels({ a, b }), h: h.labels(a, b) });
      const child = children.get(key)!;
      if (kind === "counter" && viaChildren) child.c.inc(value);
      else if (kind === "counter") c.inc({ a, b }, value);
      else if (kind === "gauge" && viaChildren) child.g.set(value);
      else if (kind === "gauge") g.set({ a, b }, value);
      else if (viaChildren) child.h.observe(value);
      else h.observe({ a, b }, value);
    }
    return m.text();
  }

  it("a child gives the same text as the plain calls, removals included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        expect(await run(ops, true)).toBe(await run(ops, false));
      }),
    );
  });
});
