// Sender: one request at a time until it is delivered or given up — rate limit, server windows, timeout, retries.
import type { Clock, Timer } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { describeError } from "../../core/errors.js";
import { formatDuration } from "../../core/units.js";
import { Sleeper } from "../../core/sleeper.js";
import { redactSecrets } from "./redact.js";
import { decide, type Outcome, type RetryPolicy, type RetryState } from "./retry.js";
import type { RateGate } from "./gate.js";
import type { Classifier, OutgoingRequest, Transport } from "./transport.js";
import type { DeliveryMetrics } from "./metrics.js";

export interface SenderOptions {
  clock: Clock;
  logger: Logger;
  metrics: DeliveryMetrics;
  transport: Transport;
  classify: Classifier;
  policy: RetryPolicy;
  /** Minimum gap between the starts of two requests. */
  rateLimitMs: number;
  timeoutMs: number;
  /** This endpoint's window, and the host-wide one when the kind has it. */
  gate: RateGate;
  globalGate?: RateGate;
  random?: () => number;
  /** Where requests go, without secrets, for logs. */
  target?: string;
}

/** How long stop() lets the request in flight finish. */
const IN_FLIGHT_GRACE_MS = 2000;

export type SendResult = { result: "delivered" } | { result: "failed"; reason: string } | { result: "stopped" };

export class Sender {
  private lastStart = -Infinity;
  private retryAt = 0;
  private stopped = false;
  private inFlight: AbortController | undefined;
  private readonly sleeper: Sleeper;

  constructor(private readonly options: SenderOptions) {
    this.sleeper = new Sleeper(options.clock);
  }

  /** Send until delivered, rejected, or out of retries; "stopped" when stop() interrupted it. */
  async send(request: OutgoingRequest): Promise<SendResult> {
    const state: RetryState = { retries: 0, rateLimited: 0 };
    let firstAttempt: number | undefined;
    for (;;) {
      await this.waitForWindow();
      if (this.stopped) return { result: "stopped" };
      firstAttempt ??= this.options.clock.now();
      const outcome = await this.attempt(request);
      // Delivered is delivered, stop or not: leaving it unreleased would send it again after the restart.
      if (this.stopped && outcome.result !== "ok") return { result: "stopped" };
      outcome.reason = redactSecrets(outcome.reason, request.url);
      this.applyWindow(outcome);
      const decision = decide(outcome, state, this.options.policy, this.options.random);
      if (decision.action === "done") return { result: "delivered" };
      if (decision.action === "dead") return { result: "failed", reason: decision.reason };
      const late = this.pastGiveUp(outcome, decision.delayMs, firstAttempt);
      if (late !== undefined) return { result: "failed", reason: late };
      this.note(outcome, decision.counted, decision.delayMs, state);
      // A 429 with a window is held by the gate; anything else backs off.
      if (decision.counted === "retry" || outcome.waitMs === undefined)
        this.retryAt = this.options.clock.now() + decision.delayMs;
    }
  }

  /**
   * End any wait; send() then resolves "stopped". The request in flight may already have reached the server, so it
   * gets graceMs to be answered (then it counts as delivered) before it is aborted.
   */
  stop(graceMs = IN_FLIGHT_GRACE_MS): void {
    this.stopped = true;
    const inFlight = this.inFlight;
    if (inFlight) this.options.clock.setTimeout(() => inFlight.abort(), graceMs);
    this.sleeper.wakeAll();
  }

  private async attempt(request: OutgoingRequest): Promise<Outcome> {
    const { clock, timeoutMs } = this.options;
    const controller = new AbortController();
    let timedOut = false;
    const timer: Timer = clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    this.inFlight = controller;
    const started = (this.lastStart = clock.now());
    let outcome: Outcome;
    try {
      const reply = await this.options.transport(request, controller.signal);
      outcome = this.options.classify(reply, clock.now());
    } catch (err) {
      const reason = timedOut
        ? `timed out after ${formatDuration(timeoutMs)}`
        : `network error: ${describeNetworkError(err)}`;
      outcome = { result: "retry", reason };
    } finally {
      timer.cancel();
      this.inFlight = undefined;
    }
    this.options.metrics.request((clock.now() - started) / 1000, outcome.result);
    return outcome;
  }

  /** Why waiting delayMs more would take the request past give_up_after, or undefined when it would not. */
  private pastGiveUp(outcome: Outcome, delayMs: number, firstAttempt: number): string | undefined {
    const limit = this.options.policy.giveUpAfterMs;
    if (limit === undefined || this.options.clock.now() + delayMs <= firstAttempt + limit) return undefined;
    const asked =
      outcome.waitMs !== undefined && outcome.waitMs >= delayMs ? "the server asks to wait" : "next retry in";
    return `${outcome.reason}: ${asked} ${formatDuration(delayMs)}, past give_up_after (${formatDuration(limit)})`;
  }

  /**
   * Record the server's window (Retry-After, Discord's reset-after) so no request starts inside it. A window
   * longer than give_up_after is not believed (the request is given up instead): it closes the gate only for
   * backoff.max, so the next events get their chance instead of waiting for years.
   */
  private applyWindow(outcome: Outcome): void {
    if (outcome.waitMs === undefined) return;
    const { policy, clock } = this.options;
    const gate = outcome.global && this.options.globalGate ? this.options.globalGate : this.options.gate;
    const believable = policy.giveUpAfterMs === undefined || outcome.waitMs <= policy.giveUpAfterMs;
    gate.closeUntil(clock.now() + (believable ? outcome.waitMs : policy.backoffMaxMs));
  }

  /** Sleep until the rate limit, every window and any backoff allow the next request (gates may move meanwhile). */
  private async waitForWindow(): Promise<void> {
    const { clock, gate, globalGate, rateLimitMs } = this.options;
    while (!this.stopped) {
      const until = Math.max(this.retryAt, gate.until, globalGate?.until ?? 0, this.lastStart + rateLimitMs);
      const wait = until - clock.now();
      if (wait <= 0) return;
      await this.sleeper.sleep(wait);
    }
  }

  private note(outcome: Outcome, counted: "retry" | "rate_limited", delayMs: number, state: RetryState): void {
    const { logger, metrics, target, policy } = this.options;
    if (counted === "rate_limited") {
      metrics.rateLimited();
      logger.warn(
        { target, waitMs: outcome.waitMs ?? delayMs, global: outcome.global === true, times: state.rateLimited },
        "rate limited; waiting before the next request",
      );
    } else {
      metrics.retried();
      logger.warn(
        { target, reason: outcome.reason, retry: state.retries, of: policy.maxRetries, delayMs },
        "request failed; retrying",
      );
    }
  }
}

/** fetch's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail =
    typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : undefined;
  return detail ? `${describeError(err)} (${detail})` : describeError(err);
}
