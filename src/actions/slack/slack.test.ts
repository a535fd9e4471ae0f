// The slack action against a real local server that answers like an incoming webhook: "ok", 429 Retry-After, errors.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Action } from "../../core/component.js";
import { logLines, startServer, type Received, type Responder, type TestServer } from "../delivery/testing/server.js";
import { lineEvent, readNdjson, tempDir, testContext, until } from "../delivery/testing/helpers.js";
import { slackAction, SLACK_TEXT_LIMIT } from "./index.js";

const servers: TestServer[] = [];
const actions: Action[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function slack(respond: Responder, options: Record<string, unknown> = {}) {
  const server = await startServer(respond);
  servers.push(server);
  const stateDir = tempDir();
  const action = slackAction.create(
    slackAction.schema.parse({ url: `${server.url}/services/T0/B0/secret`, ...options }),
    testContext("ops", { stateDir }),
  );
  actions.push(action);
  const released: string[] = [];
  const send = (line: string) => action.send(lineEvent(line), () => released.push(line));
  return { server, action, released, send, deadLetter: join(stateDir, "dead-letter", "ops.ndjson") };
}

const text = (r: Received) => (JSON.parse(r.body) as { text: string }).text;
const unescape = (s: string) => s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("slack action", () => {
  it(
    "sends {text} escaped for mrkdwn, split under the text limit, " + "in order, one message per second by default",
    async () => {
      const { server, released, send } = await slack(() => ({ status: 200, body: "ok" }));
      const lines = logLines(60, 100).map((line, i) =>
        i % 7 === 0 ? `${line.slice(0, 80)} <@U123> & <!channel>` : line,
      );
      const sent = Date.now();
      for (const line of lines) await send(line);
      await until(() => released.length === lines.length, 20_000);
      const texts = server.received.map(text);
      expect(texts.length).toBeGreaterThanOrEqual(3);
      for (const t of texts) {
        expect(t.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT);
        expect(t).not.toMatch(/[<>]/);
      }
      expect(texts.flatMap((t) => t.split("\n")).map(unescape)).toEqual(lines);
      // rate_limit is 1 s between request starts, and the first starts after the first send. Arrival times also
      // carry each request's own delays (a worker's first fetch loads undici; a loaded machine), so the gap between
      // two arrivals proves nothing; request i can arrive no earlier than i seconds after the first send.
      server.received.forEach((request, i) => expect(request.at - sent).toBeGreaterThanOrEqual(i * 1000));
    },
  );

  it("waits Retry-After on a 429 before sending again", async () => {
    const { server, released, send } = await slack(
      (_req, i) =>
        i === 0
          ? { status: 429, headers: { "retry-after": "1" }, body: { ok: false, error: "ratelimited" } }
          : { status: 200, body: "ok" },
      { rate_limit: 0, batch: { timeout: 0 } },
    );
    await send("hello");
    await until(() => released.length === 1, 20_000);
    const [limited, next] = server.received as [Received, Received];
    expect(next.at).toBeGreaterThanOrEqual((limited.answeredAt as number) + 1000);
    expect(text(next)).toBe("hello");
  });

  it("dead-letters what Slack refuses (400 invalid_payload) without retrying", async () => {
    const { server, released, send, deadLetter } = await slack(() => ({ status: 400, body: "invalid_payload" }), {
      batch: { timeout: 0 },
    });
    await send("refused");
    await until(() => released.length === 1, 20_000);
    expect(server.received).toHaveLength(1);
    expect(readNdjson(deadLetter)).toMatchObject([
      { action: "ops", reason: "HTTP 400: invalid_payload (not retried)" },
    ]);
  });
});
