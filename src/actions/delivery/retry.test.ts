// Retry decisions: success, rejections, retry and 429 budgets, jittered exponential backoff.
import { describe, expect, it } from "vitest";
import { backoffDelay, decide, type RetryPolicy, type RetryState } from "./retry.js";

const policy: RetryPolicy = { maxRetries: 2, maxRateLimited: 3, backoffInitialMs: 100, backoffMaxMs: 1000 };
const fresh = (): RetryState => ({ retries: 0, rateLimited: 0 });

describe("decide", () => {
  it("is done on success and dead-letters a rejection without retrying", () => {
    expect(decide({ result: "ok", reason: "HTTP 204" }, fresh(), policy)).toEqual({ action: "done" });
    expect(decide({ result: "reject", reason: "HTTP 404" }, fresh(), policy)).toEqual({
      action: "dead",
      reason: "HTTP 404 (not retried)",
    });
  });

  it("retries max_retries times, then dead-letters", () => {
    const state = fresh();
    const fail = { result: "retry" as const, reason: "HTTP 500" };
    expect(decide(fail, state, policy, () => 0)).toMatchObject({ action: "again", counted: "retry", delayMs: 50 });
    expect(decide(fail, state, policy, () => 0)).toMatchObject({ action: "again", delayMs: 100 });
    expect(decide(fail, state, policy, () => 0)).toMatchObject({ action: "dead" });
  });

  it("waits the server's window on 429 without spending retries, up to its own cap", () => {
    const state = fresh();
    const limited = { result: "rate_limited" as const, reason: "HTTP 429", waitMs: 200 };
    for (let i = 0; i < 3; i++)
      expect(decide(limited, state, policy)).toEqual({ action: "again", delayMs: 200, counted: "rate_limited" });
    expect(state.retries).toBe(0);
    expect(decide({ result: "retry", reason: "HTTP 502" }, state, policy, () => 0)).toMatchObject({ action: "again" });
    expect(decide(limited, state, policy)).toMatchObject({ action: "dead" });
  });

  it("never retries sooner than a Retry-After on a 503", () => {
    expect(decide({ result: "retry", reason: "HTTP 503", waitMs: 5000 }, fresh(), policy, () => 0)).toMatchObject({
      delayMs: 5000,
    });
  });
});

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the ceiling, jittered within the upper half", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelay(1000, policy, () => 0.5)).toBe(750);
  });
});
