// The discord action against a real local server that answers like Discord: buckets, 429s, global limits, 5xx, hangs.
import { afterEach, describe, expect, it } from "vitest";
import type { Action } from "../../core/component.js";
import {
  startServer,
  logLines,
  type Answer,
  type Received,
  type Responder,
  type TestServer,
} from "../delivery/testing/server.js";
import { lineEvent, readNdjson, tempDir, testContext, until } from "../delivery/testing/helpers.js";
import { join } from "node:path";
import { discordAction, DISCORD_CONTENT_LIMIT } from "./index.js";

const servers: TestServer[] = [];
const actions: Action[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A webhook with Discord's per-bucket headers: `limit` requests per `resetMs`; a request beyond it gets a 429. */
function discordBucket(
  limit: number,
  resetMs: number,
  script?: (req: Received, i: number) => Answer | "hang" | undefined,
): Responder {
  let remaining = limit;
  let resetAt = 0;
  return (req, i) => {
    const scripted = script?.(req, i);
    if (scripted) return scripted;
    const now = Date.now();
    if (now >= resetAt) [remaining, resetAt] = [limit, now + resetMs];
    const resetAfter = String(Math.ceil(resetAt - now) / 1000);
    const headers = {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-reset-after": resetAfter,
      "x-ratelimit-bucket": "b1",
    };
    if (remaining === 0) {
      windowOf.set(req, Math.ceil(resetAt - now));
      return {
        status: 429,
        headers: { ...headers, "x-ratelimit-remaining": "0", "x-ratelimit-scope": "user" },
        body: { message: "You are being rate limited.", retry_after: Number(resetAfter), global: false },
      };
    }
    remaining--;
    return {
      status: 200,
      headers: { ...headers, "x-ratelimit-remaining": String(remaining) },
      body: { id: String(i) },
    };
  };
}

async function discord(server: TestServer, options: Record<string, unknown> = {}, path = "/api/webhooks/1/tok") {
  const stateDir = tempDir();
  const config = discordAction.schema.parse({
    url: server.url + path,
    backoff: { initial: "50ms", max: "200ms" },
    ...options,
  });
  const action = discordAction.create(config, testContext("discord", { stateDir }));
  actions.push(action);
  const released: string[] = [];
  const send = (line: string) => action.send(lineEvent(line), () => released.push(line));
  return { action, released, send, deadLetter: join(stateDir, "dead-letter", "discord.ndjson") };
}

const content = (r: Received) => (JSON.parse(r.body) as { content: string }).content;
const delivered = (server: TestServer) =>
  server.received.filter((r) => r.status === 200).flatMap((r) => content(r).split("\n"));

/** The window each 429 announced, in ms, by the request it answered. */
const windowOf = new WeakMap<Received, number>();

/** Every request after a 429 arrived only once the window that 429 announced was over (server-side times). */
function expectWindowsRespected(received: Received[]): void {
  received.forEach((r, i) => {
    const next = received[i + 1];
    if (r.status !== 429 || !next) return;
    expect(windowOf.has(r)).toBe(true);
    expect(next.at).toBeGreaterThanOrEqual((r.answeredAt as number) + (windowOf.get(r) as number));
  });
}

describe("discord action", () => {
  it(
    "packs a backlog of 100-char lines into ≥90% full 2000-char " + "messages, in order, obeying the bucket headers",
    async () => {
      const server = await startServer(discordBucket(5, 300));
      servers.push(server);
      const { released, send } = await discord(server, {
        username: "logward",
        avatar_url: "https://example.org/a.png",
      });
      const lines = logLines(500, 100);
      for (const line of lines) await send(line);
      await until(() => released.length === lines.length, 30_000, "all lines delivered");
      expect(delivered(server)).toEqual(lines);
      // waited for X-RateLimit-Reset-After instead
      expect(server.received.filter((r) => r.status === 429)).toHaveLength(0);
      expect(server.received.length).toBeGreaterThan(5); // the bucket (5 per 300 ms) really was exhausted several times
      const sizes = server.received.map((r) => content(r).length);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
      const full = sizes.slice(0, -1);
      expect(full.reduce((a, b) => a + b, 0) / (full.length * DISCORD_CONTENT_LIMIT)).toBeGreaterThanOrEqual(0.9);
      const first = server.received[0] as Received;
      expect(first.url).toBe("/api/webhooks/1/tok?wait=true");
      expect(JSON.parse(first.body)).toMatchObject({
        username: "logward",
        avatar_url: "https://example.org/a.png",
        allowed_mentions: { parse: [] },
      });
    },
  );

  it(
    "waits retry_after from a 429 body (seconds, float) before the " +
      "next request, without losing or repeating a line",
    async () => {
      const server = await startServer(
        discordBucket(100, 10_000, (req, i) => {
          if (i !== 1 && i !== 2) return undefined;
          windowOf.set(req, 250);
          return {
            status: 429,
            headers: { "retry-after": "1", "x-ratelimit-scope": "shared" },
            body: { message: "The resource is being rate limited.", retry_after: 0.25, global: false },
          };
        }),
      );
      servers.push(server);
      const { released, send } = await discord(server, { batch: { size: 3, timeout: 0 }, max_retries: 0 });
      const lines = logLines(12, 40);
      for (const line of lines) await send(line);
      await until(() => released.length === lines.length, 20_000);
      expect(delivered(server)).toEqual(lines);
      expect(server.received.filter((r) => r.status === 429)).toHaveLength(2); // 429s did not use up max_retries: 0
      expectWindowsRespected(server.received);
    },
  );

  it("honours a global 429 for every webhook on the host", async () => {
    let globalUntil = 0;
    const server = await startServer((req) => {
      if (req.url.startsWith("/api/webhooks/1/") && globalUntil === 0) {
        globalUntil = Date.now() + 400;
        windowOf.set(req, 400);
        return {
          status: 429,
          headers: { "x-ratelimit-global": "true", "x-ratelimit-scope": "global", "retry-after": "1" },
          body: { message: "You are being rate limited.", retry_after: 0.4, global: true },
        };
      }
      return { status: 200, body: {} };
    });
    servers.push(server);
    const a = await discord(server, { batch: { timeout: 0 } }, "/api/webhooks/1/a");
    const b = await discord(server, { batch: { timeout: "150ms" } }, "/api/webhooks/2/b");
    await a.send("first");
    await until(() => globalUntil > 0);
    await b.send("second"); // b has never been limited itself, but the limit is global
    await until(() => a.released.length === 1 && b.released.length === 1, 20_000);
    const limited = server.received[0] as Received;
    expect(server.received.map((r) => r.url.split("?")[0])).toEqual([
      "/api/webhooks/1/a",
      expect.any(String),
      expect.any(String),
    ]);
    for (const r of server.received.slice(1)) expect(r.at).toBeGreaterThanOrEqual((limited.answeredAt as number) + 400);
  });

  it("retries 5xx and a hung request (timeout), delivering each line once", async () => {
    const server = await startServer(
      discordBucket(100, 10_000, (_req, i) =>
        i === 0
          ? { status: 502, body: "bad gateway" }
          : i === 1
            ? "hang"
            : i === 2
              ? { status: 500, body: {} }
              : undefined,
      ),
    );
    servers.push(server);
    const { released, send } = await discord(server, { batch: { timeout: 0 }, timeout: "300ms" });
    await send("only line");
    await until(() => released.length === 1, 20_000);
    expect(server.received).toHaveLength(4);
    expect(delivered(server)).toEqual(["only line"]);
  });

  it("dead-letters after max_retries of 5xx, and a 4xx at once", async () => {
    const server = await startServer((req) =>
      req.url.includes("/gone/")
        ? { status: 404, body: { message: "Unknown Webhook", code: 10015 } }
        : { status: 500, body: "oops" },
    );
    servers.push(server);
    const failing = await discord(server, { batch: { timeout: 0 }, max_retries: 2 }, "/api/webhooks/1/failing");
    await failing.send("five hundred");
    await until(() => failing.released.length === 1, 20_000);
    expect(server.received).toHaveLength(3);
    const gone = await discord(server, { batch: { timeout: 0 } }, "/api/webhooks/2/gone/");
    await gone.send("four oh four");
    await until(() => gone.released.length === 1, 20_000);
    expect(server.received).toHaveLength(4);
    expect(readNdjson(failing.deadLetter)).toMatchObject([
      { reason: expect.stringContaining("gave up after 2 retries"), event: { records: [{ line: "five hundred" }] } },
    ]);
    expect(readNdjson(gone.deadLetter)).toMatchObject([
      { reason: expect.stringContaining("HTTP 404"), event: { records: [{ line: "four oh four" }] } },
    ]);
  });

  it("dead-letters a permanently rate-limited request after max_rate_limited waits", async () => {
    const server = await startServer((req) => {
      windowOf.set(req, 50);
      return { status: 429, body: { message: "You are being rate limited.", retry_after: 0.05, global: false } };
    });
    servers.push(server);
    const { released, send, deadLetter } = await discord(server, { batch: { timeout: 0 }, max_rate_limited: 3 });
    await send("never");
    await until(() => released.length === 1, 20_000);
    expect(server.received).toHaveLength(4);
    expect(readNdjson(deadLetter)).toHaveLength(1);
    expectWindowsRespected(server.received);
  });

  it("splits a line longer than a message across messages, and code blocks cannot be broken out of", async () => {
    const server = await startServer(discordBucket(100, 10_000));
    servers.push(server);
    const { action, send } = await discord(server, { code_block: true, batch: { timeout: "1h" } });
    const long = "L".repeat(4500);
    const sneaky = "before ``` @everyone ```` after `";
    await send(long);
    await send(sneaky);
    await action.flush(15_000);
    const messages = server.received.map(content);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) {
      expect(m.length).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
      expect(m.startsWith("```\n") && m.endsWith("\n```")).toBe(true);
      expect(m.slice(4, -4)).not.toContain("``");
    }
    const text = messages
      .map((m) => m.slice(4, -4))
      .join("\n")
      .replaceAll("\u200b", "");
    expect(text).toBe(`${"L".repeat(1992)}\n${"L".repeat(1992)}\n${"L".repeat(516)}\n${sneaky}`);
  });

  it("flush delivers everything pending before it resolves", async () => {
    const server = await startServer(discordBucket(100, 10_000));
    servers.push(server);
    const { action, released, send } = await discord(server, { batch: { timeout: "1h", max_wait: "1h" } });
    const lines = logLines(30, 80);
    for (const line of lines) await send(line);
    expect(server.received).toHaveLength(0);
    await action.flush(15_000);
    expect(released).toHaveLength(30);
    expect(delivered(server)).toEqual(lines);
  });
});
