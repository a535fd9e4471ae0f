import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import type { LogRecord } from "../core/record.js";
import { createStatsJob } from "./job.js";
import { statsJobSchema, type StatsJobInput } from "./schema.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function clf(time: number, path: string, status = 200): string {
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, "0");
  const day = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}`;
  const stamp = `${day}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `10.0.0.${time % 7} - - [${stamp}] "GET ${path} HTTP/1.1" ${status} 512 "-" "test"`;
}

/** 2 req/s for 20 s, then 8 req/s for 20 s, then 2 req/s for 40 s. */
function lines(): string[] {
  const out: string[] = [];
  for (let s = 0; s < 80; s++) {
    const rate = s >= 20 && s < 40 ? 8 : 2;
    for (let i = 0; i < rate; i++)
      out.push(clf(T0 + s * 1000, i % 2 ? "/api/x/1" : "/home", i === 0 && s % 10 === 0 ? 503 : 200));
  }
  return out;
}

function setup(input: Partial<StatsJobInput> = {}, live = false) {
  const events: LogEvent[] = [];
  const metrics = new Metrics();
  const clock = new FakeClock(T0);
  const config = statsJobSchema.parse({
    source: "access",
    interval: "10s",
    alert: { above: 4, over: "10s" },
    ...input,
  });
  const job = createStatsJob("web", config, {
    clock,
    logger: silentLogger,
    metrics,
    live,
    emit: (e) => events.push(e),
  });
  return { job, events, metrics, clock };
}

const records = (texts: string[]): LogRecord[] =>
  texts.map((line) => ({ source: "access", line, time: 0, fields: {} }));

describe("stats job", () => {
  it("emits stats, alert and recovery events with the exact wording and sets metrics", async () => {
    const { job, events, metrics } = setup();
    job.push(records(["garbage line", ...lines()]));
    job.stop(); // not live: the last interval is reported on stop
    const alerts = events.filter((e) => e.kind !== "stats");
    // 10 s window above 4 req/s: 2*(10-k)+8k > 40 ⇔ k ≥ 4 → T0+24 s;
    // back: 8*(10-k)+2k ≤ 40 ⇔ k ≥ 7 → T0+47 s
    expect(alerts.map((e) => [e.kind, e.message, e.data])).toEqual([
      [
        "alert",
        `High traffic generated an alert - hits = 44, triggered at ${new Date(T0 + 24_000).toISOString()}`,
        { hits: 44, rate: 4.4, at: new Date(T0 + 24_000).toISOString() },
      ],
      [
        "recovery",
        `Recovered from high traffic at ${new Date(T0 + 47_000).toISOString()}`,
        { hits: 38, rate: 3.8, at: new Date(T0 + 47_000).toISOString() },
      ],
    ]);
    expect(alerts[0]).toMatchObject({ rule: "web", source: "access", time: T0 + 24_000, count: 44 });
    const stats = events.filter((e) => e.kind === "stats");
    expect(stats).toHaveLength(8);
    expect(stats[0]).toMatchObject({
      rule: "web",
      time: T0 + 10_000,
      count: 20,
      message: "20 hits, 2 req/s, top /api (10)",
    });
    expect(stats[0]?.data).toMatchObject({ hits: 20, invalid: 1, status: { "2xx": 19, "5xx": 1 } });
    expect(job.history()).toHaveLength(8);
    expect(job.latest()?.to).toBe(T0 + 80_000);
    expect(job.alerts().map((e) => e.kind)).toEqual(["alert", "recovery"]);
    const text = await metrics.text();
    expect(text).toContain('logward_stats_hits_total{job="web"} 280');
    expect(text).toContain('logward_stats_invalid_lines_total{job="web"} 1');
    expect(text).toContain('logward_stats_alerts_total{job="web"} 1');
    expect(text).toContain('logward_stats_alert_firing{job="web"} 0');
    expect(text).toContain('logward_stats_responses_total{job="web",class="5xx"} 8');
  });

  it("gives the same reports from chunks of bytes as from records", () => {
    const a = setup();
    const b = setup();
    a.job.push(records(lines()));
    a.job.stop();
    b.job.pushBytes(Buffer.from(`${lines().join("\r\n")}\n\n`));
    b.job.finish();
    expect(b.events).toEqual(a.events);
    expect(b.job.state()).toMatchObject({ format: "combined", lines: 280, totals: { hits: 280, invalid: 0, late: 0 } });
  });

  it("keeps a bounded history", () => {
    const { job } = setup({ history: 3 });
    job.push(records(lines()));
    job.stop();
    expect(job.history().map((r) => r.to - T0)).toEqual([60_000, 70_000, 80_000]);
  });

  it("uses the read time for JSON lines without a timestamp in live mode", () => {
    const { job, events, clock } = setup({ format: { type: "json", path_field: "u" } }, true);
    for (let s = 0; s < 12; s++) {
      job.push(
        Array.from({ length: 6 }, () => ({
          source: "access",
          line: '{"u":"/x/y","status":200}',
          time: clock.now(),
          fields: {},
        })),
      );
      clock.advance(1000);
    }
    clock.advance(30_000);
    expect(events.map((e) => e.kind)).toContain("alert");
    expect(events.map((e) => e.kind)).toContain("recovery");
    expect(events.find((e) => e.kind === "stats")?.data).toMatchObject({ sections: [{ name: "/x", hits: 60 }] });
    job.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
