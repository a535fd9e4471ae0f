// The http action against a real local server: default body, templates, headers, batch size, retries, backpressure,
// flush.
import { afterEach, describe, expect, it } from "vitest";
import type { Action } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import { startServer, type Received, type Responder, type TestServer } from "../delivery/testing/server.js";
import { lineEvent, tempDir, testContext, until } from "../delivery/testing/helpers.js";
import { httpAction, type HttpEvent } from "./index.js";

const servers: TestServer[] = [];
const actions: Action[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function http(respond: Responder, options: Record<string, unknown> = {}) {
  const server = await startServer(respond);
  servers.push(server);
  const action = httpAction.create(
    httpAction.schema.parse({ url: `${server.url}/alerts`, backoff: { initial: "50ms" }, ...options }),
    testContext("hook", { stateDir: tempDir() }),
  );
  actions.push(action);
  const released: string[] = [];
  const send = (line: string, extra: Partial<LogEvent> = {}) =>
    action.send(lineEvent(line, extra), () => released.push(line));
  return { server, action, released, send };
}

const events = (r: Received) => (JSON.parse(r.body) as { events: HttpEvent[] }).events;

describe("http action", () => {
  it(
    "POSTs {events:[...]} with the configured method and headers, at " + "most batch.size events per request, in order",
    async () => {
      const { server, action, released, send } = await http(() => ({ status: 204 }), {
        method: "PUT",
        headers: { Authorization: "Bearer s3cret" },
        batch: { size: 10, timeout: "1h" },
      });
      for (let i = 0; i < 25; i++) await send(`line ${i}`, { fields: { n: i } });
      await action.flush(15_000);
      expect(released).toHaveLength(25);
      expect(server.received.map((r) => events(r).length)).toEqual([10, 10, 5]);
      const first = server.received[0] as Received;
      expect(first.method).toBe("PUT");
      expect(first.headers.authorization).toBe("Bearer s3cret");
      expect(first.headers["content-type"]).toBe("application/json");
      expect(events(first)[0]).toEqual({
        kind: "match",
        rule: "r",
        source: "app",
        time: "2026-11-21T04:15:00.000Z",
        count: 1,
        suppressed: 0,
        message: "[r] match on app at 2026-11-21T04:15:00.000Z",
        fields: { n: 0 },
        lines: ["line 0"],
      });
      expect(server.received.flatMap(events).map((e) => e.lines[0])).toEqual(
        Array.from({ length: 25 }, (_, i) => `line ${i}`),
      );
    },
  );

  it("fills a body template with JSON-escaped text", async () => {
    const { server, action, send } = await http(() => ({ status: 200 }), {
      body_template: '{"text": "{{message}}", "n": {{count}}, "all": {{events}}}',
    });
    await send('quote " backslash \\ newline\nend {{count}}');
    await action.flush(15_000);
    const body = JSON.parse((server.received[0] as Received).body) as { text: string; n: number; all: HttpEvent[] };
    expect(body.text).toBe('quote " backslash \\ newline\nend {{count}}');
    expect(body.n).toBe(1);
    expect(body.all[0]?.lines).toEqual(['quote " backslash \\ newline', "end {{count}}"]);
  });

  it("builds PagerDuty-style trigger/resolve pairs from {{rule}}, {{source}}, {{kind}} and {{state}}", async () => {
    const { server, action, send } = await http(() => ({ status: 202 }), {
      batch: { size: 1, timeout: 0 },
      body_template:
        '{"routing_key":"k","event_action":"{{state}}","dedup_key":"{{rule}}/{{source}}","kind":"{{kind}}"}',
    });
    await send("gone", { kind: "absence", state: "firing", rule: 'hb "x"', records: [] });
    await send("back", { kind: "absence", state: "recovered", rule: 'hb "x"' });
    await send("storm", { kind: "recovery", rule: "web", source: "access" });
    await action.flush(15_000);
    expect(server.received.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { routing_key: "k", event_action: "firing", dedup_key: 'hb "x"/app', kind: "absence" },
      { routing_key: "k", event_action: "recovered", dedup_key: 'hb "x"/app', kind: "absence" },
      { routing_key: "k", event_action: "recovered", dedup_key: "web/access", kind: "traffic" },
    ]);
  });

  it("refuses an unknown placeholder at config time", () => {
    expect(httpAction.schema.safeParse({ url: "https://example.org/", body_template: "{{nope}}" }).success).toBe(false);
  });

  it("retries a 503 and makes send() wait while the queue is full", async () => {
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (hold = resolve));
    const { server, released, send } = await http(
      async (_req, i) => {
        if (i === 0) return { status: 503, body: "down" };
        if (i === 1) await held;
        return { status: 200 };
      },
      { batch: { size: 1, timeout: 0 }, queue_size: 3 },
    );
    for (const line of ["a", "b", "c"]) await send(line);
    let accepted = false;
    const fourth = send("d").then(() => (accepted = true));
    await until(() => server.received.length === 2);
    expect(accepted).toBe(false); // a is still in flight: the queue holds 3 events
    hold?.();
    await fourth;
    await until(() => released.length === 4, 20_000);
    expect(server.received.flatMap(events).map((e) => e.lines[0])).toEqual(["a", "a", "b", "c", "d"]);
    expect(released).toEqual(["a", "b", "c", "d"]);
  });
});
