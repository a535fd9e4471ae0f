import { describe, expect, it } from "vitest";
import { renderDashboard, sparkline } from "./dashboard.js";
import type { StatsReport } from "./report.js";
import { alertJson, formatReportText, reportJson } from "./render.js";
import type { LogEvent } from "../core/event.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);
const report: StatsReport = {
  from: T0,
  to: T0 + 10_000,
  hits: 52,
  rate: 5.2,
  bytes: 123_456,
  status: { "1xx": 0, "2xx": 48, "3xx": 2, "4xx": 1, "5xx": 1, other: 0 },
  errors: 1,
  errorRate: 0.0192,
  sections: [
    { name: "/api", hits: 30 },
    { name: "/a-very-long-section-name-that-will-not-fit-in-the-column", hits: 12 },
  ],
  hosts: [{ name: "10.0.0.1", hits: 20 }],
  invalid: 1,
  late: 0,
  window: { seconds: 120, hits: 1300, rate: 10.83 },
  threshold: 10,
  firing: true,
  approximate: false,
};

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");

describe("renderers", () => {
  it("draws the dashboard within the terminal width", () => {
    const lines = renderDashboard(
      {
        title: "access.log",
        format: "combined",
        state: {
          watermark: T0 + 10_000,
          window: report.window,
          firing: true,
          totals: { hits: 52, invalid: 1, late: 0 },
        },
        threshold: 10,
        latest: report,
        rates: [1, 2, 5.2],
        alerts: [
          {
            message: "High traffic generated an alert - hits = 1300, triggered at 2026-11-21T04:00:10.000Z",
            firing: true,
          },
        ],
      },
      100,
    ).map(strip);
    const text = lines.join("\n");
    expect(text).toContain("access.log (combined)");
    expect(text).toContain("window 120s: 10.83 req/s (alert above 10 req/s)  HIGH TRAFFIC");
    expect(text).toContain("last 10s: 52 hits, 5.2 req/s, 123.5 KB, errors 1.9%, 1 invalid");
    expect(text).toMatch(/\/api\s+30\s+10\.0\.0\.1\s+20/);
    expect(text).toContain("High traffic generated an alert - hits = 1300");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("scales a sparkline to its largest value", () => {
    expect(sparkline([0, 5, 10], 10)).toBe("▁▄█");
    expect(sparkline([0, 0], 10)).toBe("▁▁");
  });

  it("prints plain text and JSON lines", () => {
    expect(formatReportText(report)).toBe(
      "[2026-11-21T04:00:00Z → 04:00:10Z] 52 hits, 5.2 req/s, 123.5 KB, 2xx 48 3xx 2 4xx 1 5xx 1, errors 1.9%, " +
        "window 120s 10.83 req/s ALERT, 1 invalid\n" +
        "  sections: /api 30, /a-very-long-section-name-that-will-not-fit-in-the-column 12\n" +
        "  hosts:    10.0.0.1 20\n",
    );
    expect(JSON.parse(reportJson(report))).toMatchObject({ type: "stats", from: "2026-11-21T04:00:00.000Z", hits: 52 });
    const base = { rule: "s", source: "x", time: T0, records: [], fields: {}, count: 1, suppressed: 0 };
    const firing: LogEvent = {
      ...base,
      kind: "alert",
      data: { hits: 1300, rate: 10.83, at: "2026-11-21T04:00:10.000Z" },
    };
    const recovered: LogEvent = {
      ...base,
      kind: "recovery",
      data: { hits: 1100, rate: 9.17, at: "2026-11-21T04:02:10.000Z" },
    };
    expect(alertJson(firing)).toBe(
      '{"type":"alert","state":"firing","hits":1300,"rate":10.83,"at":"2026-11-21T04:00:10.000Z"}',
    );
    expect(alertJson(recovered)).toBe('{"type":"alert","state":"recovered","at":"2026-11-21T04:02:10.000Z"}');
  });
});
