// Reading Discord's answers: bucket headers, 429 bodies (seconds, float), Retry-After, global and scope.
import { describe, expect, it } from "vitest";
import type { Reply } from "../delivery/transport.js";
import { classifyDiscord } from "./rate-limit.js";

function reply(status: number, headers: Record<string, string> = {}, body: unknown = ""): Reply {
  return {
    status,
    header: (n) => headers[n.toLowerCase()] ?? null,
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

describe("classifyDiscord", () => {
  it("holds the next request until the bucket resets when none remain", () => {
    expect(
      classifyDiscord(reply(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.234" }), 0),
    ).toMatchObject({ result: "ok", waitMs: 1234 });
    expect(
      classifyDiscord(reply(204, { "x-ratelimit-remaining": "3", "x-ratelimit-reset-after": "1.234" }), 0).waitMs,
    ).toBeUndefined();
  });

  it("prefers the body's retry_after in seconds over the rounded Retry-After header", () => {
    const limited = reply(
      429,
      { "retry-after": "65", "x-ratelimit-scope": "user" },
      { message: "You are being rate limited.", retry_after: 64.57, global: false },
    );
    expect(classifyDiscord(limited, 0)).toEqual({
      result: "rate_limited",
      status: 429,
      reason: "HTTP 429 (user)",
      global: false,
      waitMs: 64_570,
    });
  });

  it("falls back to Retry-After (Cloudflare answers with HTML), then to the bucket reset", () => {
    expect(classifyDiscord(reply(429, { "retry-after": "2" }, "<html>"), 0).waitMs).toBe(2000);
    expect(
      classifyDiscord(reply(429, { "x-ratelimit-reset-after": "0.5", "x-ratelimit-remaining": "0" }), 0).waitMs,
    ).toBe(500);
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
