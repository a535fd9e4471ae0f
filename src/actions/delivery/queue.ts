// DeliveryQueue: the Action every network kind is built on — bounded queue, batches, one request in flight, retries, dead letters.
import type { Action, ActionContext } from "../../core/component.js";
import type { Clock, Timer } from "../../core/clock.js";
import type { LogEvent } from "../../core/event.js";
import type { Logger } from "../../core/logger.js";
import { once, type Release } from "../../core/record.js";
import { describeError } from "../../core/errors.js";
import { formatDuration } from "../../core/units.js";
import { Batcher, type Batch, type Part } from "./batcher.js";
import { decide, type Outcome, type RetryPolicy, type RetryState } from "./retry.js";
import { RateGate } from "./gate.js";
import { classifyReply, fetchTransport, type Classifier, type OutgoingRequest, type Transport } from "./transport.js";
import { DeadLetterFile, defaultDeadLetterPath } from "./dead-letter.js";
import { deliveryMetrics, type DeliveryMetrics } from "./metrics.js";
import type { DeliveryConfig } from "./schema.js";

/** How a kind turns events into requests. */
export interface Encoder<P> {
  /** The parts one event becomes, in order; each small enough to make a request alone. */
  parts(event: LogEvent): Part<P>[];
  /** Largest sum of part sizes in one request; Infinity when only batch.size and max_bytes bound it. */
  readonly capacity: number;
  /** The request carrying these parts (never empty). */
  request(parts: P[]): OutgoingRequest;
}

export interface DeliveryOptions<P> {
  config: DeliveryConfig;
  context: ActionContext;
  encoder: Encoder<P>;
  /** Reads answers into outcomes; the generic reading by default. */
  classify?: Classifier;
  transport?: Transport;
  /** The window of this endpoint's rate limit; share one between actions posting to the same URL. */
  gate?: RateGate;
  /** The window of a host-wide ("global") limit, when the kind has one. */
  globalGate?: RateGate;
  random?: () => number;
  /** Where requests go, without secrets, for logs. */
  target?: string;
}

interface Item {
  seq: number;
  event: LogEvent;
  release: Release;
  deadLettered: boolean;
}

interface Waiter {
  seq: number;
  event: LogEvent;
  release: Release;
  resolve: () => void;
}

export class DeliveryQueue<P> implements Action {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: DeliveryMetrics;
  private readonly batcher: Batcher<P, Item>;
  private readonly deadLetters: DeadLetterFile;
  private readonly policy: RetryPolicy;
  private readonly classify: Classifier;
  private readonly transport: Transport;
  private readonly gate: RateGate;
  /** Accepted and not yet released, in arrival order (a Map iterates in insertion order). */
  private readonly outstanding = new Map<number, Item>();
  private readonly waiters: Waiter[] = [];
  private readonly flushWaiters = new Set<{ target: number; done: () => void }>();
  private readonly sleepers = new Set<() => void>();
  private seq = 0;
  private pumping: Promise<void> | undefined;
  private stopped = false;
  private lastStart = -Infinity;
  private retryAt = 0;
  private inFlight: AbortController | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: DeliveryOptions<P>) {
    const { config, context } = options;
    this.clock = context.clock;
    this.log = context.logger;
    this.metrics = deliveryMetrics(context.metrics, context.name);
    this.classify = options.classify ?? classifyReply;
    this.transport = options.transport ?? fetchTransport;
    this.gate = options.gate ?? new RateGate();
    this.policy = {
      maxRetries: config.max_retries,
      maxRateLimited: config.max_rate_limited,
      backoffInitialMs: config.backoff.initial,
      backoffMaxMs: Math.max(config.backoff.max, config.backoff.initial),
    };
    const limits = {
      maxEvents: config.batch.size,
      maxBytes: config.batch.max_bytes,
      capacity: options.encoder.capacity,
      timeoutMs: config.batch.timeout,
      maxWaitMs: config.batch.max_wait,
    };
    this.batcher = new Batcher<P, Item>(limits, this.clock, () => this.pump());
    const path = config.dead_letter ?? defaultDeadLetterPath(context.stateDir, context.name);
    this.deadLetters = new DeadLetterFile(path, context.name, () => this.clock.now());
  }

  /** Events accepted and not yet delivered or dead-lettered. */
  get depth(): number {
    return this.outstanding.size;
  }

  send(event: LogEvent, release: Release): Promise<void> {
    const seq = ++this.seq;
    if (this.stopped) {
      // Not released: the source's checkpoint stays before this event, so the next run delivers it.
      this.log.warn({ rule: event.rule }, "event arrived after the action stopped; left for the next run");
      return Promise.resolve();
    }
    if (this.waiters.length === 0 && this.outstanding.size < this.options.config.queue_size) {
      this.admit(seq, event, release);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ seq, event, release, resolve }));
  }

  async flush(deadlineMs: number): Promise<void> {
    const target = this.seq;
    if (this.settledThrough(target) || this.stopped) return;
    this.batcher.drainThrough(target);
    this.pump();
    await new Promise<void>((resolve) => {
      const waiter = { target, done: () => finish(false) };
      const timer = this.clock.setTimeout(() => finish(true), deadlineMs);
      const finish = (late: boolean) => {
        timer.cancel();
        this.flushWaiters.delete(waiter);
        if (late) this.log.warn({ pending: this.outstanding.size + this.waiters.length }, "flush deadline passed with events still pending");
        resolve();
      };
      this.flushWaiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.batcher.stop();
    this.inFlight?.abort();
    for (const wake of this.sleepers) wake();
    // Waiting senders return without release: their events stay before the checkpoint for the next run.
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
    for (const waiter of [...this.flushWaiters]) waiter.done();
    await this.pumping;
    this.setKeepAlive(false);
  }

  // ---- queue ---------------------------------------------------------------------------------

  private admit(seq: number, event: LogEvent, release: Release): void {
    const item: Item = { seq, event, release: once(release), deadLettered: false };
    this.outstanding.set(seq, item);
    this.setKeepAlive(true);
    this.metrics.depth(this.outstanding.size);
    let parts: Part<P>[];
    try {
      parts = this.options.encoder.parts(event);
    } catch (err) {
      void this.giveUp([item], `could not format the event: ${describeError(err)}`).then(() => this.finish([item]));
      return;
    }
    if (parts.length === 0) return this.finish([item]);
    this.batcher.add(seq, item, parts);
    this.pump();
  }

  /** Release delivered (or dead-lettered) items, then let waiting senders and flushes proceed. */
  private finish(items: Item[]): void {
    for (const item of items) {
      this.outstanding.delete(item.seq);
      try {
        item.release();
      } catch (err) {
        this.log.error({ err: describeError(err) }, "releasing a delivered event failed");
      }
    }
    while (this.waiters.length > 0 && this.outstanding.size < this.options.config.queue_size && !this.stopped) {
      const waiter = this.waiters.shift() as Waiter;
      this.admit(waiter.seq, waiter.event, waiter.release);
      waiter.resolve();
    }
    this.metrics.depth(this.outstanding.size);
    for (const waiter of [...this.flushWaiters]) if (this.settledThrough(waiter.target)) waiter.done();
    if (this.outstanding.size === 0) this.setKeepAlive(false);
  }

  /** Is every event with a sequence number up to target released? */
  private settledThrough(target: number): boolean {
    const oldest = this.outstanding.keys().next().value ?? this.waiters[0]?.seq ?? Infinity;
    return oldest > target;
  }

  /**
   * Timers are unref'd (they never keep the process alive by themselves), but undelivered events must:
   * `--once` awaits a flush that may be sleeping through a backoff or a rate-limit window.
   */
  private setKeepAlive(on: boolean): void {
    if (on && !this.keepAlive && !this.stopped) this.keepAlive = setInterval(() => {}, 1 << 30);
    if (!on && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Run the send loop unless it is running: one request in flight, in order. */
  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = undefined;
      if (!this.stopped && this.batcher.due()) this.pump();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.batcher.due()) {
      const batch = this.batcher.take();
      if (!batch) break;
      try {
        await this.deliver(batch);
      } catch (err) {
        // A bug, not an endpoint failure: keep the events rather than lose them, and keep going.
        this.log.error({ err: describeError(err) }, "delivery failed unexpectedly");
        await this.giveUp(batch.carried, `internal error: ${describeError(err)}`);
        this.finish(batch.completed);
      }
    }
  }

  /** Send one request until it succeeds or is given up; then release the events it finishes. */
  private async deliver(batch: Batch<P, Item>): Promise<void> {
    const request = this.options.encoder.request(batch.parts);
    const state: RetryState = { retries: 0, rateLimited: 0 };
    for (;;) {
      await this.waitForWindow();
      if (this.stopped) return;
      const outcome = await this.attempt(request);
      if (this.stopped) return;
      this.applyWindow(outcome);
      const decision = decide(outcome, state, this.policy, this.options.random);
      if (decision.action === "done") {
        this.metrics.sent(batch.completed.filter((item) => !item.deadLettered).length);
        return this.finish(batch.completed);
      }
      if (decision.action === "dead") {
        await this.giveUp(batch.carried, decision.reason);
        return this.finish(batch.completed);
      }
      this.noteRetry(outcome, decision.counted, decision.delayMs, state);
      if (decision.counted === "retry" || outcome.waitMs === undefined) this.retryAt = this.clock.now() + decision.delayMs;
    }
  }

  private async attempt(request: OutgoingRequest): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer: Timer = this.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.config.timeout);
    this.inFlight = controller;
    const started = (this.lastStart = this.clock.now());
    let outcome: Outcome;
    try {
      const reply = await this.transport(request, controller.signal);
      outcome = this.classify(reply, this.clock.now());
    } catch (err) {
      const reason = timedOut ? `timed out after ${formatDuration(this.options.config.timeout)}` : `network error: ${describeNetworkError(err)}`;
      outcome = { result: "retry", reason };
    } finally {
      timer.cancel();
      this.inFlight = undefined;
    }
    this.metrics.request((this.clock.now() - started) / 1000, outcome.result);
    return outcome;
  }

  /** Record the server's window (Retry-After, Discord's reset-after) so no request starts inside it. */
  private applyWindow(outcome: Outcome): void {
    if (outcome.waitMs === undefined) return;
    const gate = outcome.global && this.options.globalGate ? this.options.globalGate : this.gate;
    gate.closeUntil(this.clock.now() + outcome.waitMs);
  }

  /** Sleep until the rate limit, every server window and any backoff allow the next request. */
  private async waitForWindow(): Promise<void> {
    while (!this.stopped) {
      const until = Math.max(this.retryAt, this.gate.until, this.options.globalGate?.until ?? 0, this.lastStart + this.options.config.rate_limit);
      const wait = until - this.clock.now();
      if (wait <= 0) return;
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        timer.cancel();
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = this.clock.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private noteRetry(outcome: Outcome, counted: "retry" | "rate_limited", delayMs: number, state: RetryState): void {
    const target = this.options.target;
    if (counted === "rate_limited") {
      this.metrics.rateLimited();
      const waitMs = outcome.waitMs ?? delayMs;
      this.log.warn({ target, waitMs, global: outcome.global === true, times: state.rateLimited }, "rate limited; waiting before the next request");
    } else {
      this.metrics.retried();
      this.log.warn({ target, reason: outcome.reason, retry: state.retries, of: this.policy.maxRetries, delayMs }, "request failed; retrying");
    }
  }

  /** Write the events to the dead-letter file (once each) and say so loudly. */
  private async giveUp(items: Item[], reason: string): Promise<void> {
    const fresh = items.filter((item) => !item.deadLettered);
    if (fresh.length === 0) return;
    for (const item of fresh) item.deadLettered = true;
    this.metrics.deadLettered(fresh.length);
    const file = this.deadLetters.path;
    try {
      await this.deadLetters.write(fresh.map((item) => item.event), reason);
      this.log.error({ target: this.options.target, reason, events: fresh.length, file }, "delivery failed: events written to the dead-letter file");
    } catch (err) {
      // Last resort: the lines go to the log so they are not lost without a trace.
      const lines = fresh.flatMap((item) => item.event.records.map((r) => r.line));
      this.log.error({ reason, file, err: describeError(err), lines }, "delivery failed and the dead-letter file could not be written");
    }
  }
}

/** fetch's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : undefined;
  return detail ? `${describeError(err)} (${detail})` : describeError(err);
}
