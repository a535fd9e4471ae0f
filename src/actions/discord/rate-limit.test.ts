// Reading Discord's answers: bucket headers, 429 bodies (seconds, float), Retry-After, global and scope.
import { describe, expect, it } from "vitest";
import type { Reply } from "../delivery/transport.js";
import { classifyDiscord } from "./rate-limit.js";
import { allowedMentions, discordEncoder, executeUrl } from "./index.js";
import { discordAction } from "./index.js";
import { lineEvent } from "../delivery/testing/helpers.js";

function reply(status: number, headers: Record<string, string> = {}, body: unknown = ""): Reply {
  return { status, header: (n) => headers[n.toLowerCase()] ?? null, body: typeof body === "string" ? body : JSON.stringify(body) };
}

describe("classifyDiscord", () => {
  it("holds the next request until the bucket resets when none remain", () => {
    expect(classifyDiscord(reply(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.234" }), 0)).toMatchObject({ result: "ok", waitMs: 1234 });
    expect(classifyDiscord(reply(204, { "x-ratelimit-remaining": "3", "x-ratelimit-reset-after": "1.234" }), 0).waitMs).toBeUndefined();
  });

  it("prefers the body's retry_after in seconds over the rounded Retry-After header", () => {
    const limited = reply(429, { "retry-after": "65", "x-ratelimit-scope": "user" }, { message: "You are being rate limited.", retry_after: 64.57, global: false });
    expect(classifyDiscord(limited, 0)).toEqual({ result: "rate_limited", status: 429, reason: "HTTP 429 (user)", global: false, waitMs: 64_570 });
  });

  it("falls back to Retry-After (Cloudflare answers with HTML), then to the bucket reset", () => {
    expect(classifyDiscord(reply(429, { "retry-after": "2" }, "<html>"), 0).waitMs).toBe(2000);
    expect(classifyDiscord(reply(429, { "x-ratelimit-reset-after": "0.5", "x-ratelimit-remaining": "0" }), 0).waitMs).toBe(500);
  });

  it("recognises a global limit by body, X-RateLimit-Global or X-RateLimit-Scope", () => {
    expect(classifyDiscord(reply(429, {}, { retry_after: 1, global: true }), 0).global).toBe(true);
    expect(classifyDiscord(reply(429, { "x-ratelimit-global": "true", "retry-after": "1" }), 0).global).toBe(true);
    expect(classifyDiscord(reply(429, { "x-ratelimit-scope": "global", "retry-after": "1" }), 0).global).toBe(true);
    expect(classifyDiscord(reply(429, { "x-ratelimit-scope": "shared", "retry-after": "1" }), 0).global).toBe(false);
  });

  it("rejects other 4xx (a deleted webhook answers 404) and retries 5xx", () => {
    expect(classifyDiscord(reply(404, {}, { message: "Unknown Webhook", code: 10015 }), 0).result).toBe("reject");
    expect(classifyDiscord(reply(502), 0).result).toBe("retry");
  });
});

describe("discord messages", () => {
  it("asks Discord to wait for the saved message, keeping other query parameters", () => {
    expect(executeUrl("https://discord.com/api/webhooks/1/t?thread_id=9")).toBe("https://discord.com/api/webhooks/1/t?thread_id=9&wait=true");
  });

  it("lets only the configured mention ping", () => {
    expect(allowedMentions(undefined)).toEqual({ parse: [] });
    expect(allowedMentions("<@123> <@&456>")).toEqual({ parse: [], users: ["123"], roles: ["456"] });
    expect(allowedMentions("@here")).toEqual({ parse: ["everyone"] });
  });

  it("puts the mention first in each message, within the limit", () => {
    const config = discordAction.schema.parse({ url: "https://discord.com/api/webhooks/1/t", mention: "<@&456>" });
    const encoder = discordEncoder(config);
    const parts = encoder.parts(lineEvent("x".repeat(3000)));
    const bodies = parts.map((p) => JSON.parse(encoder.request([p.value]).body) as { content: string; allowed_mentions: unknown });
    for (const body of bodies) {
      expect(body.content.startsWith("<@&456>\n")).toBe(true);
      expect(body.content.length).toBeLessThanOrEqual(2000);
      expect(body.allowed_mentions).toEqual({ parse: [], roles: ["456"] });
    }
    expect(bodies.map((b) => b.content.slice(8)).join("")).toBe("x".repeat(3000));
  });

  it("never sends an empty message for a blank line", () => {
    const encoder = discordEncoder(discordAction.schema.parse({ url: "https://discord.com/api/webhooks/1/t" }));
    const [part] = encoder.parts(lineEvent(""));
    expect((JSON.parse(encoder.request([part?.value as string]).body) as { content: string }).content).toBe("\u200b");
  });
});
