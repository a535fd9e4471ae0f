// Human formatting: match lines as they are; summaries with rule, source, count, time and at most five samples.
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../core/event.js";
import { physicalLines, formatEvent, formatHeadline, MAX_SAMPLES } from "./format.js";
import { lineEvent } from "./testing/helpers.js";

const time = Date.UTC(2026, 10, 21, 4, 15, 0);

function threshold(n: number, suppressed = 0): LogEvent {
  const records = Array.from({ length: n }, (_, i) => ({
    source: "app",
    line: `authentication failure ${i}`,
    time,
    fields: {},
  }));
  return { kind: "threshold", rule: "auth-storm", source: "app", time, records, fields: {}, count: n, suppressed };
}

describe("formatEvent", () => {
  it("gives a match its own lines, multiline records split", () => {
    expect(formatEvent(lineEvent("boom"))).toEqual(["boom"]);
    expect(formatEvent(lineEvent("Error\n  at f()\r\n  at g()"))).toEqual(["Error", "  at f()", "  at g()"]);
    expect(physicalLines(lineEvent("a\nb"))).toEqual(["a", "b"]);
  });

  it("summarises a threshold with rule, count, source, ISO time and at most five samples", () => {
    const lines = formatEvent(threshold(8, 2));
    expect(lines[0]).toBe("[auth-storm] 8 matches on app at 2026-11-21T04:15:00.000Z (2 suppressed by cooldown)");
    expect(lines.slice(1, 1 + MAX_SAMPLES)).toEqual([0, 1, 2, 3, 4].map((i) => `  authentication failure ${i}`));
    expect(lines[6]).toBe("  … and 3 more");
    expect(lines).toHaveLength(7);
  });

  it("uses the alert's own wording, which people grep for", () => {
    const alert: LogEvent = {
      kind: "alert",
      rule: "web-traffic",
      source: "access",
      time,
      records: [],
      fields: {},
      count: 1234,
      suppressed: 0,
      message: "High traffic generated an alert - hits = 1234, triggered at 2026-11-21T04:15:00.000Z",
    };
    expect(formatEvent(alert)).toEqual([
      "[web-traffic] alert on access at 2026-11-21T04:15:00.000Z: " +
        "High traffic generated an alert - hits = 1234, triggered at 2026-11-21T04:15:00.000Z",
    ]);
    expect(formatHeadline({ ...alert, kind: "recovery", message: "Recovered from high traffic at X" })).toContain(
      "recovery on access",
    );
  });

  it("heads an absence and its recovery with what happened", () => {
    const silence: LogEvent = {
      kind: "absence",
      state: "firing",
      rule: "hb",
      source: "beats",
      time,
      records: [],
      fields: {},
      count: 0,
      suppressed: 0,
      message: "hb: no matching line for 10m",
    };
    expect(formatEvent(silence)).toEqual([
      "[hb] silence on beats at 2026-11-21T04:15:00.000Z: hb: no matching line for 10m",
    ]);
    expect(formatHeadline({ ...silence, state: "recovered", message: "back" })).toBe(
      "[hb] recovered on beats at 2026-11-21T04:15:00.000Z: back",
    );
  });

  it("shows a stats report's text, or its data when it has no text", () => {
    const stats: LogEvent = {
      kind: "stats",
      rule: "web",
      source: "access",
      time,
      records: [],
      fields: {},
      count: 0,
      suppressed: 0,
      data: { hits: 3 },
    };
    expect(formatEvent(stats)).toEqual(["[web] stats for access at 2026-11-21T04:15:00.000Z", '{"hits":3}']);
    expect(formatEvent({ ...stats, message: "hits 3\nreq/s 0.3" }).slice(1)).toEqual(["hits 3", "req/s 0.3"]);
  });
});
