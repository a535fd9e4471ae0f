// The config keys every network action shares (batching, rate limit, retries, queue, dead letters).
import * as z from "zod";
import { zDuration, zSize } from "../../core/schema.js";

/** Defaults of the shared keys; a kind may override some (Slack: one message per second). */
export interface DeliveryDefaults {
  batchSize: number;
  batchMaxBytes: number;
  batchTimeoutMs: number;
  rateLimitMs: number;
  maxRetries: number;
  maxRateLimited: number;
  timeoutMs: number;
  queueSize: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  giveUpAfterMs: number;
}

export const DELIVERY_DEFAULTS: Readonly<DeliveryDefaults> = {
  batchSize: 100,
  batchMaxBytes: 1024 * 1024,
  batchTimeoutMs: 1_000,
  rateLimitMs: 0,
  maxRetries: 5,
  maxRateLimited: 20,
  timeoutMs: 10_000,
  queueSize: 10_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  giveUpAfterMs: 15 * 60_000,
};

/** The shared keys as a zod shape, with a kind's own defaults. */
export function deliveryShape(overrides: Partial<DeliveryDefaults> = {}) {
  const d = { ...DELIVERY_DEFAULTS, ...overrides };
  return {
    batch: z
      .strictObject({
        /** Most events in one request; a batch this big is sent at once. */
        size: z.number().int().positive().default(d.batchSize),
        /** Most bytes of event text in one request; this much pending is sent at once. */
        max_bytes: zSize.pipe(z.number().int().positive()).default(d.batchMaxBytes),
        /** Send once no new event has arrived for this long... */
        timeout: zDuration.default(d.batchTimeoutMs),
        /**
         * ...but never hold an event longer than this (a steady trickle still flushes); default: the larger of timeout
         * and 10s.
         */
        max_wait: zDuration.optional(),
      })
      .prefault({}),
    /** Minimum gap between two requests. */
    rate_limit: zDuration.default(d.rateLimitMs),
    /** Retries of a request on network errors, timeouts and 5xx before it is dead-lettered. */
    max_retries: z.number().int().min(0).default(d.maxRetries),
    /** 429 answers tolerated for one request (they do not count as retries) before it is dead-lettered. */
    max_rate_limited: z.number().int().min(0).default(d.maxRateLimited),
    /** Per-request timeout. */
    timeout: zDuration.pipe(z.number().positive()).default(d.timeoutMs),
    /** Events held (queued or in flight) before send() waits: backpressure. */
    queue_size: z.number().int().positive().default(d.queueSize),
    /**
     * A request still undelivered this long after its first attempt is dead-lettered, and a server's wait
     * (Retry-After, retry_after) longer than what is left of it is not waited for: no event waits forever.
     */
    give_up_after: zDuration.pipe(z.number().positive()).default(d.giveUpAfterMs),
    /** NDJSON file for events given up on; default <state_dir>/dead-letter/<action>.ndjson. */
    dead_letter: z.string().min(1).optional(),
    /** Exponential backoff between retries: first delay and ceiling (jittered). */
    backoff: z
      .strictObject({
        initial: zDuration.pipe(z.number().positive()).default(d.backoffInitialMs),
        max: zDuration.pipe(z.number().positive()).default(d.backoffMaxMs),
      })
      .prefault({}),
  };
}

/** Without max_wait, a steady trickle still flushes after the larger of batch.timeout and 10 s. */
export const DEFAULT_MAX_WAIT_FLOOR_MS = 10_000;

export function effectiveMaxWait(batch: { timeout: number; max_wait?: number | undefined }): number {
  return batch.max_wait ?? Math.max(batch.timeout, DEFAULT_MAX_WAIT_FLOOR_MS);
}

/** The shared keys with the generic defaults: spread it into a network action's schema. */
export const deliverySchemaShape = deliveryShape();

const deliveryObject = z.strictObject(deliverySchemaShape);

/** The shared keys after parsing (durations in ms, sizes in bytes). */
export type DeliveryConfig = z.output<typeof deliveryObject>;

/** Parse only the shared keys (defaults filled in): for tests and for commands building a config by hand. */
export function parseDeliveryConfig(input: Partial<z.input<typeof deliveryObject>> = {}): DeliveryConfig {
  return deliveryObject.parse(input);
}
