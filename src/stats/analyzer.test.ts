import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { accessHit, type RequestHit } from "../parsers/access.js";
import { createTrafficAnalyzer, type TrafficAlert, type TrafficOptions } from "./analyzer.js";
import type { StatsReport } from "./report.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);

function setup(overrides: Partial<TrafficOptions> = {}, clock = new FakeClock(T0)) {
  const reports: StatsReport[] = [];
  const alerts: TrafficAlert[] = [];
  const analyzer = createTrafficAnalyzer(
    {
      interval: 10_000,
      window: 120_000,
      threshold: 10,
      top: 3,
      lateness: 5_000,
      live: false,
      ...overrides,
      onReport: (r) => reports.push(r),
      onAlert: (a) => alerts.push(a),
    },
    clock,
  );
  return { analyzer, reports, alerts, clock };
}

function hit(time: number, path = "/api/user/1", host = "10.0.0.1", status = 200, bytes = 100): RequestHit {
  return accessHit({ time, host, path, status, bytes });
}

/** `perSecond` hits in each second of [fromSec, toSec) after T0, spread inside the second. */
function profile(fromSec: number, toSec: number, perSecond: number): number[] {
  const times: number[] = [];
  for (let s = fromSec; s < toSec; s++)
    for (let i = 0; i < perSecond; i++) times.push(T0 + s * 1000 + Math.floor((i * 1000) / perSecond));
  return times;
}

const stepProfile = () => [...profile(0, 180, 5), ...profile(180, 360, 20), ...profile(360, 540, 5)];

describe("high-traffic alert (replay)", () => {
  it("fires when the window rate goes above the threshold and recovers when it falls back", () => {
    const { analyzer, alerts } = setup();
    for (const t of stepProfile()) analyzer.add(hit(t));
    analyzer.finish();
    // window hits at T0+180+k s = 5*(120-k) + 20*k = 600 + 15k > 1200  ⇔  k ≥ 41
    // window hits at T0+360+k s = 20*(120-k) + 5*k = 2400 - 15k ≤ 1200  ⇔  k ≥ 80
    expect(alerts).toEqual([
      {
        state: "firing",
        at: T0 + 221_000,
        hits: 1215,
        rate: 10.13,
        message: `High traffic generated an alert - hits = 1215, triggered at ${new Date(T0 + 221_000).toISOString()}`,
      },
      {
        state: "recovered",
        at: T0 + 440_000,
        hits: 1200,
        rate: 10,
        message: `Recovered from high traffic at ${new Date(T0 + 440_000).toISOString()}`,
      },
    ]);
  });

  it("stays quiet at or below the threshold", () => {
    const { analyzer, alerts, reports } = setup();
    for (const t of profile(0, 600, 10)) analyzer.add(hit(t));
    analyzer.finish();
    expect(alerts).toEqual([]);
    expect(reports.at(-1)?.window).toEqual({ seconds: 120, hits: 1200, rate: 10 });
  });

  it("gives the same alerts when lines come out of order within the allowed lateness", () => {
    const { analyzer, alerts, reports } = setup();
    const times = stepProfile();
    let seed = 42;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    // shuffle within blocks of 3 s of log time: out of order, never more than 3 s late (lateness 5 s)
    for (let block = 0; block < times.length;) {
      const start = times[block] as number;
      let end = block;
      while (end < times.length && (times[end] as number) < start + 3000) end++;
      for (let i = end - 1; i > block; i--) {
        const j = block + Math.floor(random() * (i - block + 1));
        [times[i], times[j]] = [times[j] as number, times[i] as number];
      }
      block = end;
    }
    for (const t of times) analyzer.add(hit(t));
    analyzer.finish();
    expect(alerts.map((a) => [a.state, a.at, a.hits])).toEqual([
      ["firing", T0 + 221_000, 1215],
      ["recovered", T0 + 440_000, 1200],
    ]);
    expect(reports.reduce((n, r) => n + r.late, 0)).toBe(0);
    expect(reports.reduce((n, r) => n + r.hits, 0)).toBe(times.length);
  });

  it("counts lines later than the lateness as late, not as hits", () => {
    const { analyzer, reports } = setup();
    for (const t of profile(0, 30, 1)) analyzer.add(hit(t));
    analyzer.add(hit(T0 + 2_000)); // 27 s behind the newest line
    analyzer.add(hit(T0 + 26_000)); // 3 s behind: still counted
    analyzer.finish();
    expect(reports.reduce((n, r) => n + r.late, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.hits, 0)).toBe(31);
  });
});

describe("interval reports", () => {
  it("reports each interval on the log's time with sections, status classes, bytes and hosts", () => {
    const { analyzer, reports } = setup({ threshold: undefined });
    const lines: [number, string, string, number][] = [
      [1_000, "/api/user/1", "a", 200],
      [2_000, "/api/user/2", "b", 200],
      [3_000, "/", "a", 304],
      [4_000, "/static/x.css", "a", 404],
      [5_000, "/api/x", "c", 503],
      [12_000, "/api/y", "a", 200],
    ];
    for (const [at, path, host, status] of lines) analyzer.add(hit(T0 + at, path, host, status, 10));
    analyzer.invalid(2);
    analyzer.finish();
    expect(reports).toHaveLength(2);
    const [first, second] = reports as [StatsReport, StatsReport];
    expect(first).toMatchObject({
      from: T0,
      to: T0 + 10_000,
      hits: 5,
      rate: 0.5,
      bytes: 50,
      status: { "1xx": 0, "2xx": 2, "3xx": 1, "4xx": 1, "5xx": 1, other: 0 },
      errors: 1,
      errorRate: 0.2,
      sections: [
        { name: "/api", hits: 3 },
        { name: "/", hits: 1 },
        { name: "/static", hits: 1 },
      ],
      hosts: [
        { name: "a", hits: 3 },
        { name: "b", hits: 1 },
        { name: "c", hits: 1 },
      ],
      invalid: 2,
      late: 0,
      firing: false,
      approximate: false,
    });
    // the last interval is partial: it ends with the log's last second
    expect(second).toMatchObject({ from: T0 + 10_000, to: T0 + 13_000, hits: 1, rate: 0.33, invalid: 0 });
  });

  it("reports empty intervals while the window holds traffic but skips long quiet stretches in replay", () => {
    const { analyzer, reports } = setup();
    analyzer.add(hit(T0 + 1_000));
    analyzer.add(hit(T0 + 31_000)); // 20 s gap: the empty interval in between is reported
    analyzer.add(hit(T0 + 86_400_000 * 3)); // three days later
    analyzer.finish();
    // while the window still holds traffic every interval is reported; then time jumps to the next line
    const quietAfter = Array.from({ length: 11 }, (_, i) => [40 + i * 10, 0]);
    expect(reports.map((r) => [(r.from - T0) / 1000, r.hits])).toEqual([
      [0, 1],
      [10, 0],
      [20, 0],
      [30, 1],
      ...quietAfter,
      [259_200, 1],
    ]);
  });

  it("keeps memory bounded with a million distinct hosts and paths", () => {
    const { analyzer, reports } = setup({ interval: 3_600_000, capacity: 100, threshold: undefined });
    for (let i = 0; i < 1_000_000; i++)
      analyzer.add(hit(T0 + Math.floor(i / 300), i % 4 === 0 ? "/hot/x" : `/p${i}/x`, i % 5 === 0 ? "hot" : `h${i}`));
    analyzer.finish();
    const report = reports[0] as StatsReport;
    expect(report.hits).toBe(1_000_000);
    expect(report.sections[0]).toMatchObject({ name: "/hot" });
    expect(report.hosts[0]).toMatchObject({ name: "hot" });
    expect(report.approximate).toBe(true);
  });
});

describe("live mode", () => {
  it("recovers through the clock when the log goes quiet", () => {
    const { analyzer, alerts, reports, clock } = setup({ live: true, window: 10_000, threshold: 2 });
    for (let s = 0; s < 20; s++) {
      for (let i = 0; i < 5; i++) analyzer.add(hit(clock.now() + i * 100));
      clock.advance(1000);
    }
    expect(alerts.map((a) => a.state)).toEqual(["firing"]);
    // nothing more is written: event time follows the clock, the window empties, the alert recovers
    clock.advance(30_000);
    expect(alerts.map((a) => a.state)).toEqual(["firing", "recovered"]);
    const recovery = alerts[1] as TrafficAlert;
    // 5 req/s until T0+20 s; the 10 s window drops to 20 hits (2 req/s, not above) at T0+26 s
    expect(recovery.at).toBe(T0 + 26_000);
    expect(reports.at(-1)?.hits).toBe(0);
    analyzer.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("reports empty intervals while the log is quiet from the start", () => {
    const { analyzer, reports, clock } = setup({ live: true });
    clock.advance(35_000);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.every((r) => r.hits === 0)).toBe(true);
    analyzer.stop();
  });

  it("starts over on the first line when the log's time is behind the clock", () => {
    const { analyzer, reports, clock } = setup({ live: true, threshold: undefined });
    const old = T0 - 86_400_000;
    for (let s = 0; s < 25; s++) analyzer.add(hit(old + s * 1000));
    clock.advance(40_000);
    expect(reports.reduce((n, r) => n + r.hits, 0)).toBe(25);
    expect(reports.reduce((n, r) => n + r.late, 0)).toBe(0);
    expect(reports[0]?.from).toBe(old);
    analyzer.stop();
  });
});

describe("lateness before the first interval", () => {
  it("counts a line up to the lateness before the first interval's start, in an interval of its own", () => {
    const { analyzer, reports } = setup();
    for (const t of [T0 + 2_000, T0 - 1_000, T0 - 3_000, T0 + 1_000, T0 - 3_001]) analyzer.add(hit(t));
    analyzer.finish();
    expect(reports.map((r) => [r.from, r.to, r.hits, r.late])).toEqual([
      [T0 - 3_000, T0, 2, 1], // the late line (T0 - 3.001 s, past the 5 s) is reported when it is noticed
      [T0, T0 + 3_000, 2, 0],
    ]);
  });

  it("drops no line that comes within the lateness of the newest, whatever the order and first interval", () => {
    const arrival = fc.record({
      first: fc.integer({ min: 0, max: 25_000 }),
      steps: fc.array(fc.integer({ min: -5_000, max: 3_000 }), { minLength: 1, maxLength: 60 }),
    });
    fc.assert(
      fc.property(arrival, ({ first, steps }) => {
        const { analyzer, reports } = setup();
        let newest = T0 + first;
        analyzer.add(hit(newest));
        for (const step of steps) {
          const time = newest + step; // never more than 5 s (the lateness) behind the newest line so far
          newest = Math.max(newest, time);
          analyzer.add(hit(time));
        }
        analyzer.finish();
        expect(reports.reduce((n, r) => n + r.late, 0)).toBe(0);
        expect(reports.reduce((n, r) => n + r.hits, 0)).toBe(steps.length + 1);
        expect(analyzer.state().totals).toMatchObject({ hits: steps.length + 1, late: 0 });
      }),
      { seed: 1121, numRuns: 300 },
    );
  });
});
