// DeliveryQueue: the Action every network kind is built on — bounded queue, batches, one request in flight, retries,
// dead letters.
import type { Action, ActionContext } from "../../core/component.js";
import type { Clock } from "../../core/clock.js";
import { ACCEPTED, type LogEvent } from "../../core/event.js";
import type { Logger } from "../../core/logger.js";
import { once, type Release } from "../../core/record.js";
import { describeError } from "../../core/errors.js";
import { keepAlive } from "../../core/lifetime.js";
import { Batcher, type Batch, type Part } from "./batcher.js";
import { Sender } from "./sender.js";
import { RateGate } from "./gate.js";
import { classifyReply, fetchTransport, type Classifier, type OutgoingRequest, type Transport } from "./transport.js";
import { DeadLetterFile, defaultDeadLetterPath } from "./dead-letter.js";
import { deliveryMetrics, type DeliveryMetrics } from "./metrics.js";
import { effectiveMaxWait, type DeliveryConfig } from "./schema.js";

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
  private readonly sender: Sender;
  /** Accepted and not yet released, in arrival order (a Map iterates in insertion order). */
  private readonly outstanding = new Map<number, Item>();
  private readonly waiters: Waiter[] = [];
  private readonly flushWaiters = new Set<{ target: number; done: () => void }>();
  private seq = 0;
  private pumping: Promise<void> | undefined;
  private stopped = false;
  private letGo: (() => void) | undefined;

  constructor(private readonly options: DeliveryOptions<P>) {
    const { config, context } = options;
    this.clock = context.clock;
    this.log = context.logger;
    this.metrics = deliveryMetrics(context.metrics, context.name);
    this.sender = new Sender({
      clock: this.clock,
      logger: this.log,
      metrics: this.metrics,
      transport: options.transport ?? fetchTransport,
      classify: options.classify ?? classifyReply,
      policy: {
        maxRetries: config.max_retries,
        maxRateLimited: config.max_rate_limited,
        backoffInitialMs: config.backoff.initial,
        backoffMaxMs: Math.max(config.backoff.max, config.backoff.initial),
        giveUpAfterMs: config.give_up_after,
      },
      rateLimitMs: config.rate_limit,
      timeoutMs: config.timeout,
      gate: options.gate ?? new RateGate(),
      ...(options.globalGate ? { globalGate: options.globalGate } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.target ? { target: options.target } : {}),
    });
    const limits = {
      maxEvents: config.batch.size,
      maxBytes: config.batch.max_bytes,
      capacity: options.encoder.capacity,
      timeoutMs: config.batch.timeout,
      maxWaitMs: effectiveMaxWait(config.batch),
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
      return ACCEPTED;
    }
    if (this.waiters.length === 0 && this.outstanding.size < this.options.config.queue_size) {
      this.admit(seq, event, release); // taken: the pipeline goes on in this turn
      return ACCEPTED;
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
        if (late)
          this.log.warn(
            { pending: this.outstanding.size + this.waiters.length },
            "flush deadline passed with events still pending",
          );
        resolve();
      };
      this.flushWaiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.batcher.stop();
    this.sender.stop();
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
    if (on && !this.letGo && !this.stopped) this.letGo = keepAlive();
    if (!on && this.letGo) {
      this.letGo();
      this.letGo = undefined;
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

  /** Send one request until it is delivered or given up; then release the events it finishes. */
  private async deliver(batch: Batch<P, Item>): Promise<void> {
    const sent = await this.sender.send(this.options.encoder.request(batch.parts));
    if (sent.result === "stopped") return; // unreleased: the checkpoint keeps these events for the next run
    if (sent.result === "failed") await this.giveUp(batch.carried, sent.reason);
    else this.metrics.sent(batch.completed.filter((item) => !item.deadLettered).length);
    this.finish(batch.completed);
  }

  /** Write the events to the dead-letter file (once each) and say so loudly. */
  private async giveUp(items: Item[], reason: string): Promise<void> {
    const fresh = items.filter((item) => !item.deadLettered);
    if (fresh.length === 0) return;
    for (const item of fresh) item.deadLettered = true;
    this.metrics.deadLettered(fresh.length);
    const file = this.deadLetters.path;
    try {
      await this.deadLetters.write(
        fresh.map((item) => item.event),
        reason,
      );
      this.log.error(
        { target: this.options.target, reason, events: fresh.length, file },
        "delivery failed: events written to the dead-letter file",
      );
    } catch (err) {
      // Last resort: the lines go to the log so they are not lost without a trace.
      const lines = fresh.flatMap((item) => item.event.records.map((r) => r.line));
      this.log.error(
        { reason, file, err: describeError(err), lines },
        "delivery failed and the dead-letter file could not be written",
      );
    }
  }
}
