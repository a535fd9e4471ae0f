import { describe, expect, test } from "vitest";
import { FakeClock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import type { LogRecord } from "../core/record.js";
import { createWebHub, type HubLine } from "./hub.js";

const rec = (line: string, source = "app"): LogRecord => ({ source, line, time: 1000, fields: {} });

describe("web hub", () => {
  test("numbers lines per source from 1 and keeps the newest historyLines", () => {
    const hub = createWebHub({ historyLines: 3, clock: new FakeClock() });
    hub.addSource("app", { type: "file", path: "/x.log" });
    hub.pushRecords(["a", "b", "c", "d"].map((l) => rec(l)).concat(rec("other", "sys")));
    expect(hub.tail("app", 10).map((l) => [l.n, l.line])).toEqual([
      [2, "b"],
      [3, "c"],
      [4, "d"],
    ]);
    expect(hub.tail("sys", 10).map((l) => l.n)).toEqual([1]);
    expect(hub.sources()).toEqual([
      { name: "app", type: "file", path: "/x.log", lines: 4, held: 3 },
      { name: "sys", type: "unknown", lines: 1, held: 1 },
    ]);
  });

  test("since() resumes after a sequence number and counts what history no longer holds", () => {
    const hub = createWebHub({ historyLines: 3, clock: new FakeClock() });
    hub.pushRecords(["1", "2", "3", "4", "5", "6"].map((l) => rec(l)));
    expect(hub.since("app", 4)).toEqual({ lines: hub.tail("app", 2), missed: 0 });
    expect(hub.since("app", 6)).toEqual({ lines: [], missed: 0 });
    const gap = hub.since("app", 1); // 2 and 3 are gone, 4..6 held
    expect(gap.missed).toBe(2);
    expect(gap.lines.map((l) => l.line)).toEqual(["4", "5", "6"]);
    expect(hub.since("app", 0).missed).toBe(3);
    expect(hub.since("nope", 0)).toEqual({ lines: [], missed: 0 });
  });

  test("subscribers get each batch, with the rules that matched each line", () => {
    const hub = createWebHub({ clock: new FakeClock() });
    const got: HubLine[][] = [];
    const unsubscribe = hub.subscribe("app", (lines) => got.push(lines));
    const hit = rec("ERROR boom");
    hub.pushRecords([rec("fine"), hit], new Map([[hit, ["oom", "errors"]]]));
    unsubscribe();
    hub.pushRecords([rec("after")]);
    expect(got).toHaveLength(1);
    expect(got[0]?.map((l) => l.rules)).toEqual([undefined, ["oom", "errors"]]);
  });

  test("two hubs never share an epoch, so a stream id from before a restart cannot resume", () => {
    const clock = new FakeClock();
    expect(createWebHub({ clock }).epoch).not.toBe(createWebHub({ clock }).epoch);
    expect(createWebHub({ clock }).epoch).toMatch(/^[0-9a-z]+$/);
  });

  test("keeps stats reports per job with a summary, and alerts, both bounded", () => {
    const clock = new FakeClock();
    const hub = createWebHub({ clock, statsReports: 2, alertEntries: 2 });
    for (let i = 0; i < 3; i++) {
      hub.pushStats("web", { hits: 10 * i, interval: 10_000 });
      clock.advance(10_000);
    }
    const reports = hub.stats().web ?? [];
    expect(reports.map((r) => r.summary.rate)).toEqual([1, 2]);
    expect(reports[1]?.received).toBe(clock.now() - 10_000);
    const alert: LogEvent = {
      kind: "alert",
      rule: "web",
      source: "access",
      time: 5,
      records: [],
      fields: {},
      count: 1,
      suppressed: 0,
    };
    hub.pushAlert({ ...alert, message: "first" });
    hub.pushAlert({ ...alert, message: "second" });
    hub.pushAlert({ ...alert, kind: "recovery", message: "Recovered from high traffic at 04:15:00" });
    expect(hub.alerts().map((a) => [a.kind, a.message])).toEqual([
      ["alert", "second"],
      ["recovery", "Recovered from high traffic at 04:15:00"],
    ]);
  });

  test("an alert without a message shows its match or last line", () => {
    const hub = createWebHub({ clock: new FakeClock() });
    hub.pushAlert({
      kind: "threshold",
      rule: "auth",
      source: "app",
      time: 1,
      records: [rec("a"), rec("auth failure b")],
      fields: {},
      count: 5,
      suppressed: 0,
    });
    expect(hub.alerts()[0]).toMatchObject({ message: "auth failure b", count: 5 });
  });

  test("every source (null): one history numbered hub-wide, bounded, resumable with a missed count", () => {
    const hub = createWebHub({ historyLines: 3, clock: new FakeClock() });
    const got: string[] = [];
    hub.subscribe(null, (lines) => got.push(...lines.map((l) => `${l.g}:${l.source}:${l.line}`)));
    hub.pushRecords([rec("a1", "app"), rec("a2", "app")]);
    hub.pushRecords([rec("d1", "db")]);
    hub.pushRecords([rec("a3", "app"), rec("d2", "db")]);
    expect(got).toEqual(["1:app:a1", "2:app:a2", "3:db:d1", "4:app:a3", "5:db:d2"]);
    expect(hub.tail(null, 10).map((l) => [l.g, l.n, l.line])).toEqual([
      [3, 1, "d1"],
      [4, 3, "a3"],
      [5, 2, "d2"],
    ]);
    expect(hub.since(null, 1)).toEqual({ lines: hub.tail(null, 3), missed: 1 });
    expect(hub.since(null, 4)).toEqual({ lines: hub.tail(null, 1), missed: 0 });
    expect(hub.tail("app", 10).map((l) => l.line)).toEqual(["a1", "a2", "a3"]); // a source's own history is its own
  });

  test("reports and alerts reach event listeners as they come; restored ones do not, and stay in order", () => {
    const clock = new FakeClock(5000);
    const hub = createWebHub({ clock, statsReports: 2, alertEntries: 2 });
    hub.restore(
      [
        { job: "web", received: 1, report: { hits: 1, rate: 0.1 } },
        { job: "web", received: 2, report: { hits: 2, rate: 0.2 } },
        { job: "web", received: 3, report: { hits: 3, rate: 0.3 } },
      ],
      [{ time: 1, kind: "alert", rule: "web", source: "access", message: "old", count: 1 }],
    );
    expect(hub.stats().web?.map((r) => r.summary.rate)).toEqual([0.2, 0.3]);
    const told: string[] = [];
    const off = hub.subscribeEvents((e) => told.push(e.type === "report" ? `report ${e.entry.job}` : e.entry.message));
    hub.pushStats("web", { hits: 4, rate: 0.4 });
    hub.pushAlert({
      kind: "recovery",
      rule: "web",
      source: "access",
      time: 6,
      records: [],
      fields: {},
      count: 1,
      suppressed: 0,
      message: "new",
    });
    off();
    hub.pushAlert({
      kind: "alert",
      rule: "web",
      source: "access",
      time: 7,
      records: [],
      fields: {},
      count: 1,
      suppressed: 0,
    });
    expect(told).toEqual(["report web", "new"]);
    expect(hub.stats().web?.map((r) => [r.received, r.summary.rate])).toEqual([
      [3, 0.3],
      [5000, 0.4],
    ]);
    expect(hub.alerts().map((a) => a.message)).toEqual(["new", ""]);
  });

  test("an alert's message is cut to 4096 characters: it may be a whole log line kept and resent", () => {
    const hub = createWebHub({ clock: new FakeClock() });
    const line = "x".repeat(4095) + "\u{1F600}" + "y".repeat(10_000);
    hub.pushAlert({
      kind: "threshold",
      rule: "r",
      source: "app",
      time: 1,
      records: [rec(line)],
      fields: {},
      count: 1,
      suppressed: 0,
    });
    expect(hub.alerts()[0]?.message).toBe("x".repeat(4095)); // a surrogate pair is not split
  });
});
