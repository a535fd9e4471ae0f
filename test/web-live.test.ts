// The stream of every source (resume across sources on the hub-wide sequence) and /api/events, on a real server.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { LogEvent } from "../src/core/event.js";
import { closedAfterEach, record, waitFor } from "./web-support.js";

const { serve, stream } = closedAfterEach();

const SOURCES = ["app", "db", "nginx"];

function alert(kind: LogEvent["kind"], message: string, time = 1000): LogEvent {
  return { kind, rule: "traffic", source: "nginx", time, records: [], fields: {}, count: 1, suppressed: 0, message };
}

describe("GET /api/stream without a source: every source", () => {
  test("the history of every source, then live lines, each with its source, numbered hub-wide", async () => {
    const s = await serve();
    s.hub.pushRecords([record("a1", "app"), record("d1", "db")]);
    s.hub.pushRecords([record("a2", "app")]);
    const r = await stream(`${s.url}api/stream`);
    await waitFor(() => r.lines().length === 3, "the history");
    expect(r.ofType("hello")[0]?.data).toMatchObject({ type: "hello", source: null, resumed: false });
    s.hub.pushRecords([record("n1", "nginx"), record("n2", "nginx")]);
    s.hub.pushRecords([record("d2", "db")]);
    await waitFor(() => r.lines().length === 6, "the live lines");
    expect(r.lines().map((l) => [l.n, l.source, l.line])).toEqual([
      [1, "app", "a1"],
      [2, "db", "d1"],
      [3, "app", "a2"],
      [4, "nginx", "n1"],
      [5, "nginx", "n2"],
      [6, "db", "d2"],
    ]);
    expect(r.ofType("lines").at(-1)?.id).toBe(`${s.hub.epoch}-6`);
  });

  test("a filter keeps the matching lines of every source; /api/tail without a source gives every source too", async () => {
    const s = await serve();
    s.hub.pushRecords([record("ERROR a", "app"), record("ok", "db"), record("error b", "db")]);
    const r = await stream(`${s.url}api/stream?match=${encodeURIComponent("/error/i")}`);
    await waitFor(() => r.lines().length === 2, "the matching history");
    s.hub.pushRecords([record("fine", "nginx"), record("ERROR c", "nginx")]);
    await waitFor(() => r.lines().length === 3, "the matching live line");
    expect(r.lines().map((l) => [l.source, l.line, l.hl])).toEqual([
      ["app", "ERROR a", [0, 5]],
      ["db", "error b", [0, 5]],
      ["nginx", "ERROR c", [0, 5]],
    ]);
    const tail = (await (await fetch(`${s.url}api/tail?lines=2`)).json()) as { lines: { line: string }[] };
    expect(tail.lines.map((l) => l.line)).toEqual(["fine", "ERROR c"]);
  });

  test("dropped and resumed at any point, across sources, the two connections give every line once, in hub order", async () => {
    const s = await serve({}, 50); // history holds 50 lines: a long gap is counted as missed
    const pushed: string[] = []; // pushed[g - 1]: the text of the line numbered g hub-wide
    const push = (specs: { source: string; size: number }[]): void => {
      for (const { source, size } of specs) {
        const texts = Array.from({ length: size }, (_, i) => `${source}:${pushed.length + i + 1}`);
        pushed.push(...texts);
        s.hub.pushRecords(texts.map((text) => record(text, source)));
      }
    };
    const batches = fc.array(fc.record({ source: fc.constantFrom(...SOURCES), size: fc.integer({ min: 1, max: 9 }) }), {
      minLength: 1,
      maxLength: 12,
    });
    await fc.assert(
      fc.asyncProperty(batches, batches, fc.nat(), async (before, after, cutAt) => {
        const start = pushed.length;
        const first = await stream(`${s.url}api/stream`, { "last-event-id": `${s.hub.epoch}-${start}` });
        await waitFor(() => first.ofType("hello").length === 1, "hello");
        push(before);
        await waitFor(() => (first.lines().at(-1)?.n ?? 0) === pushed.length, "the first connection's lines");
        // The connection drops after any of its events.
        const kept = first.ofType("lines").slice(0, cutAt % (first.ofType("lines").length + 1));
        first.close();
        push(after);
        const lastId = kept.at(-1)?.id ?? `${s.hub.epoch}-${start}`;
        const second = await stream(`${s.url}api/stream`, { "last-event-id": lastId });
        await waitFor(() => (second.lines().at(-1)?.n ?? 0) === pushed.length, "the resumed lines");
        second.close();
        expect(second.ofType("hello")[0]?.data.resumed).toBe(true);
        const lastN = idN(lastId);
        const missed = second.ofType("missed").reduce((n, e) => n + (e.data.count as number), 0);
        const seen = [...first.lines().filter((l) => l.n <= lastN), ...second.lines()];
        const expected = [...range(start + 1, lastN), ...range(lastN + missed + 1, pushed.length)];
        expect(seen.map((l) => l.n)).toEqual(expected);
        expect(missed).toBe(Math.max(0, pushed.length - lastN - 50));
        for (const l of seen) expect(`${l.source}:${l.n}`).toBe(l.line);
        for (const l of seen) expect(l.line).toBe(pushed[l.n - 1]);
      }),
      { numRuns: 25, seed: 2126 },
    );
  });
});

/** from..to, both included (empty when from > to). */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function idN(id: string | undefined): number {
  return Number(id?.slice(id.lastIndexOf("-") + 1) ?? 0);
}

describe("GET /api/events", () => {
  test("a snapshot of reports and alerts on connect, then each report, alert and recovery as it comes", async () => {
    const s = await serve();
    const t0 = Date.UTC(2026, 11, 7, 1, 0, 0);
    s.hub.pushStats("web", { from: t0, to: t0 + 10_000, hits: 50, rate: 5, sections: [{ name: "/api", hits: 50 }] });
    s.hub.pushAlert(alert("alert", "High traffic generated an alert - hits = 300"));
    const r = await stream(`${s.url}api/events`);
    await waitFor(() => r.ofType("alerts").length === 1, "the snapshot");
    expect(r.events.map((e) => e.data.type)).toEqual(["hello", "stats", "alerts"]);
    expect(r.ofType("stats")[0]?.data.jobs).toEqual([
      {
        job: "web",
        points: [{ t: t0 + 10_000, rate: 5, hits: 50 }],
        sections: [{ name: "/api", hits: 50 }],
        threshold: null,
        firing: false,
        latest: { from: t0, to: t0 + 10_000, hits: 50, rate: 5, sections: [{ name: "/api", hits: 50 }] },
      },
    ]);
    expect((r.ofType("alerts")[0]?.data.alerts as unknown[]).length).toBe(1);

    const second = { from: t0 + 10_000, to: t0 + 20_000, hits: 150, rate: 15, threshold: 10, firing: true };
    s.hub.pushStats("web", second);
    s.hub.pushAlert(alert("recovery", "Recovered from high traffic", 2000));
    await waitFor(() => r.events.length === 5, "the pushed events");
    expect(r.events.slice(3).map((e) => e.data)).toEqual([
      {
        type: "report",
        job: "web",
        point: { t: t0 + 20_000, rate: 15, hits: 150 },
        sections: [],
        threshold: 10,
        firing: true,
        latest: second,
      },
      {
        type: "alert",
        alert: {
          time: 2000,
          kind: "recovery",
          rule: "traffic",
          source: "nginx",
          message: "Recovered from high traffic",
          count: 1,
        },
      },
    ]);
  });

  test("needs the token like every other route", async () => {
    const s = await serve({ token: "events-token" });
    const res = await fetch(`${s.url}api/events`);
    expect(res.status).toBe(401);
    const r = await stream(`${s.url}api/events`, { authorization: "Bearer events-token" });
    await waitFor(() => r.ofType("alerts").length === 1, "the snapshot");
  });

  test("a client that stops reading is cut once its queue is full, never buffered without limit; it reconnects to a full snapshot", async () => {
    const s = await serve({ client_buffer: 64 * 1024 });
    const r = await stream(`${s.url}api/events`);
    await waitFor(() => r.ofType("alerts").length === 1, "the snapshot");
    r.pause();
    const metric = async (name: string) => (await s.metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const long = "x".repeat(8000); // cut to 4096 characters in the hub
    let pushed = 0;
    await waitFor(
      async () => {
        for (let i = 0; i < 50; i++) s.hub.pushAlert(alert("threshold", `${++pushed} ${long}`));
        await new Promise((resolve) => setImmediate(resolve));
        return (await metric("logward_web_event_clients_cut_total")) === 1;
      },
      "the slow client cut",
      30_000,
    );
    // Cut long before the alerts pushed could have filled a client queue without a limit.
    expect(pushed).toBeLessThan(1000);
    r.resume();
    await waitFor(() => r.ended, "the cut connection ends");
    await waitFor(async () => (await metric("logward_web_event_clients")) === 0, "its slot given back");
    const again = await stream(`${s.url}api/events`);
    await waitFor(() => again.ofType("alerts").length === 1, "a fresh snapshot");
    const alerts = again.ofType("alerts")[0]?.data.alerts as { message: string }[];
    expect(alerts.length).toBe(Math.min(pushed, 500));
    expect(alerts.at(-1)?.message).toBe(`${pushed} ${long}`.slice(0, 4096));
  });

  test("closing the server ends the event streams", async () => {
    const s = await serve();
    const r = await stream(`${s.url}api/events`);
    await waitFor(() => r.ofType("alerts").length === 1, "the snapshot");
    await s.close();
    await waitFor(() => r.ended, "the stream ends");
  });
});
