// The shared delivery keys: defaults, units, per-kind overrides, strictness.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { deliveryShape, effectiveMaxWait, parseDeliveryConfig } from "./schema.js";

describe("delivery config", () => {
  it("fills every default", () => {
    expect(parseDeliveryConfig()).toEqual({
      batch: { size: 100, max_bytes: 1024 * 1024, timeout: 1000 },
      rate_limit: 0,
      max_retries: 5,
      max_rate_limited: 20,
      timeout: 10_000,
      queue_size: 10_000,
      backoff: { initial: 1000, max: 60_000 },
      give_up_after: 15 * 60_000,
    });
  });

  it("reads durations and sizes in their units", () => {
    const config = parseDeliveryConfig({
      batch: { size: 10, timeout: "30s", max_bytes: "64KiB" },
      rate_limit: "250ms",
      timeout: 5,
      dead_letter: "/tmp/dl.ndjson",
    });
    expect(config).toMatchObject({
      batch: { size: 10, timeout: 30_000, max_bytes: 65_536 },
      rate_limit: 250,
      timeout: 5000,
      dead_letter: "/tmp/dl.ndjson",
    });
  });

  it("caps batch.timeout by max_wait, which defaults to the larger of the timeout and 10s", () => {
    expect(effectiveMaxWait(parseDeliveryConfig({ batch: { timeout: "30s" } }).batch)).toBe(30_000);
    expect(effectiveMaxWait(parseDeliveryConfig({ batch: { timeout: "2s" } }).batch)).toBe(10_000);
    expect(effectiveMaxWait(parseDeliveryConfig({ batch: { timeout: "2s", max_wait: "5s" } }).batch)).toBe(5000);
  });

  it("lets a kind change its defaults and rejects unknown or bad keys", () => {
    expect(z.strictObject(deliveryShape({ rateLimitMs: 1000 })).parse({}).rate_limit).toBe(1000);
    expect(() => parseDeliveryConfig({ batch: { sise: 3 } } as never)).toThrow();
    expect(() => parseDeliveryConfig({ batch: { size: 0 } })).toThrow();
    expect(() => parseDeliveryConfig({ timeout: 0 })).toThrow();
  });
});
