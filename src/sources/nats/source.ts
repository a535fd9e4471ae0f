// The nats source: a durable JetStream pull consumer shared by any number of logward instances.
import type { ConsumerMessages, JetStreamManager, JsMsg, NatsConnection } from "nats";
import type { Source, SourceContext } from "../../core/component.js";
import type { Timer } from "../../core/clock.js";
import { describeError, LogwardError } from "../../core/errors.js";
import { CountingAck } from "../../core/record.js";
import { connectionOptions, connectWithRetry, watchStatus, type ConnectLoop } from "../../nats/connection.js";
import { ensureConsumer, StreamMissing } from "./consumer.js";
import { decodeMessage } from "./decode.js";
import type { NatsSourceConfig } from "./schema.js";
import { Sleeper } from "../../core/sleeper.js";
import { within } from "../../core/lifetime.js";

/** How long stop() waits for emitted batches to be delivered and acknowledged. */
const STOP_GRACE_MS = 30_000;
/** How long stop() waits for the batch in hand to be accepted. */
const EMIT_WAIT_MS = 2000;
/** With --once, how long to wait for a first connection before failing. */
const ONCE_CONNECT_TIMEOUT_MS = 60_000;

interface Held {
  msgs: JsMsg[];
  since: number;
}

/**
 * Pulls messages in batches and emits them; a message is acknowledged only when its batch's Ack
 * completes (every action delivered it). Until then the source tells the server it is still working
 * on it, so a slow action does not cause redelivery; if this process dies, the server redelivers the
 * unacknowledged messages to another instance after ack_wait. At-least-once: a message may be seen
 * twice (a crash after delivery, before the ack), never lost.
 */
export class NatsSource implements Source {
  private loop: ConnectLoop | undefined;
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private messages: ConsumerMessages | undefined;
  private streamMissing = false;
  private stopped = false;
  private aborted = false;
  private awaitingNext = false;
  private buffer: JsMsg[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly held = new Set<Held>();
  private heldWaiters: (() => void)[] = [];
  private heartbeat: Timer | undefined;
  private running: Promise<void> | undefined;
  private consuming = false;
  private readonly sleeper: Sleeper;
  private readonly metrics;
  private readonly labels;

  constructor(
    private readonly config: NatsSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    this.labels = { source: ctx.name };
    this.sleeper = new Sleeper(ctx.clock);
    const m = ctx.metrics;
    this.metrics = {
      received: m.counter("nats_received_total", "JetStream messages received", ["source"]),
      redelivered: m.counter(
        "nats_redelivered_total",
        "JetStream messages received again (not acknowledged in time by some instance)",
        ["source"],
      ),
      acked: m.counter("nats_acked_total", "JetStream messages acknowledged after every action delivered them", [
        "source",
      ]),
      held: m.gauge("nats_unacked_messages", "Messages emitted and awaiting delivery by the actions", ["source"]),
      connected: m.gauge("nats_source_connected", "1 while the source is connected to NATS", ["source"]),
    };
  }

  async start(): Promise<void> {
    this.loop = connectWithRetry(
      connectionOptions(this.config, `logward source ${this.ctx.name}`),
      this.ctx.clock,
      this.ctx.logger,
    );
    this.running = this.run(this.loop);
    this.armHeartbeat();
  }

  /**
   * Resolves when the consumer has nothing pending and everything received has been emitted (or the
   * stream does not exist). Rejects with --once when consuming has not begun within a minute.
   */
  async caughtUp(): Promise<void> {
    const started = this.ctx.clock.now();
    let quietPolls = 0;
    while (!this.stopped && quietPolls < 2) {
      await this.sleeper.sleep(250);
      if (
        !this.consuming &&
        !this.streamMissing &&
        this.ctx.once &&
        this.ctx.clock.now() - started > ONCE_CONNECT_TIMEOUT_MS
      ) {
        throw new LogwardError(
          "SOURCE_FAILED",
          `nats source ${this.ctx.name}: cannot consume ${this.config.stream}/${this.config.consumer} ` +
            `from ${this.config.servers.join(", ")}`,
        );
      }
      quietPolls = (await this.nothingPending()) ? quietPolls + 1 : 0;
    }
  }

  /** Stop pulling, give emitted batches a grace period to be delivered and acknowledged, then disconnect. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.loop?.cancel();
    this.sleeper.wakeAll();
    await this.messages?.close().catch(() => undefined);
    // A batch the pipeline never accepts (actions full at shutdown) must not hold the process forever.
    await within(this.ctx.clock, Math.min(graceMs, EMIT_WAIT_MS), Promise.all([this.chain, this.running]));
    // taken but never emitted: let another instance have them now
    for (const msg of this.buffer.splice(0)) safely(() => msg.nak());
    await this.heldDrained(graceMs);
    const left = [...this.held].reduce((n, h) => n + h.msgs.length, 0);
    if (left > 0)
      this.ctx.logger.warn(
        { messages: left },
        "stopping with unacknowledged NATS messages; the server redelivers them after ack_wait",
      );
    this.heartbeat?.cancel();
    await this.disconnect();
  }

  /** Disconnect at once without acknowledging anything, as a crash would (for tests and fail-fast paths). */
  async abort(): Promise<void> {
    this.aborted = true;
    this.stopped = true;
    this.loop?.cancel();
    this.sleeper.wakeAll();
    this.heartbeat?.cancel();
    this.messages?.stop();
    await this.nc?.close().catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** Drain (sends the last acks), but not for long when the server is away: then just close. */
  private async disconnect(): Promise<void> {
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    const timer = new Promise<void>((resolve) => this.ctx.clock.setTimeout(resolve, 5000));
    await Promise.race([nc.drain().catch(() => undefined), timer]);
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
  }

  private async run(loop: ConnectLoop): Promise<void> {
    const nc = await loop.connection;
    if (!nc || this.stopped) return;
    this.nc = nc;
    void watchStatus(nc, this.ctx.logger, (up) => this.metrics.connected.set(this.labels, up ? 1 : 0));
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        this.jsm ??= await nc.jetstreamManager({ checkAPI: false });
        await ensureConsumer(this.jsm, this.config, this.ctx.logger);
        this.streamMissing = false;
        attempt = 0;
        await this.consume(nc);
      } catch (err) {
        if (this.stopped) break;
        this.streamMissing = err instanceof StreamMissing;
        // A missing stream is normal until the first agent publishes: look again soon, quietly after the first time.
        const delay = Math.min(this.streamMissing ? 5000 : 30_000, 1000 * 2 ** Math.min(Math.max(attempt - 1, 0), 5));
        if (!this.streamMissing || attempt === 1)
          this.ctx.logger.warn(
            { stream: this.config.stream, consumer: this.config.consumer, err: describeError(err), retry_ms: delay },
            "cannot consume from NATS; retrying",
          );
        await this.sleeper.sleep(delay);
      }
    }
  }

  /** Read messages until the subscription ends; they leave in batches of what arrived together. */
  private async consume(nc: NatsConnection): Promise<void> {
    const consumer = await nc.jetstream().consumers.get(this.config.stream, this.config.consumer);
    const messages = await consumer.consume({ max_messages: this.config.batch });
    this.messages = messages;
    if (this.stopped) await messages.close();
    this.consuming = true;
    const iterator = messages[Symbol.asyncIterator]();
    for (;;) {
      this.awaitingNext = true;
      const next = await iterator.next();
      this.awaitingNext = false;
      if (next.done) break;
      this.buffer.push(next.value); // when stopping, stop() hands the buffer back to the server
      if (this.stopped) break;
      if (this.buffer.length >= this.config.batch) await this.flush();
      else this.scheduleFlush();
    }
    if (this.stopped) return;
    await this.flush();
    throw new Error("the consumer's subscription ended");
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Emit what is buffered, after any emit still pending (one at a time: backpressure). */
  private flush(): Promise<void> {
    this.chain = this.chain.then(() => this.emitBuffered());
    return this.chain;
  }

  private async emitBuffered(): Promise<void> {
    const msgs = this.buffer.splice(0, this.config.batch);
    if (msgs.length === 0 || this.aborted) return;
    const records = msgs.map((msg) => {
      if (msg.redelivered) this.metrics.redelivered.inc(this.labels);
      return decodeMessage(
        msg.data,
        { subject: msg.subject, storedAt: Math.floor(msg.info.timestampNanos / 1e6) },
        this.ctx.name,
      );
    });
    this.metrics.received.inc(this.labels, msgs.length);
    const held: Held = { msgs, since: this.ctx.clock.now() };
    this.hold(held);
    const ack = new CountingAck(() => this.acknowledge(held));
    try {
      await this.ctx.emit({ source: this.ctx.name, records, ack });
      ack.releaseInitial();
    } catch (err) {
      this.ctx.logger.error(
        { err: describeError(err), messages: msgs.length },
        "NATS batch not accepted; handing it back to the server",
      );
      this.unhold(held);
      for (const msg of msgs) safely(() => msg.nak());
    }
    if (this.buffer.length > 0) this.scheduleFlush();
  }

  private acknowledge(held: Held): void {
    if (!this.unhold(held) || this.aborted) return;
    for (const msg of held.msgs) safely(() => msg.ack());
    this.metrics.acked.inc(this.labels, held.msgs.length);
  }

  private hold(held: Held): void {
    this.held.add(held);
    this.metrics.held.inc(this.labels, held.msgs.length);
  }

  private unhold(held: Held): boolean {
    if (!this.held.delete(held)) return false;
    this.metrics.held.dec(this.labels, held.msgs.length);
    if (this.held.size === 0) for (const wake of this.heldWaiters.splice(0)) wake();
    return true;
  }

  /** Every third of ack_wait, tell the server that batches still being delivered are in progress. */
  private armHeartbeat(): void {
    const every = Math.max(500, Math.floor(this.config.ack_wait / 3));
    this.heartbeat = this.ctx.clock.setTimeout(() => {
      if (this.aborted) return;
      const due = this.ctx.clock.now() - every;
      for (const held of this.held) if (held.since <= due) for (const msg of held.msgs) safely(() => msg.working());
      this.armHeartbeat();
    }, every);
  }

  private async nothingPending(): Promise<boolean> {
    const jsm = this.jsm;
    if (!jsm) return false;
    if (this.streamMissing) return true;
    if (!this.awaitingNext || this.buffer.length > 0 || this.flushScheduled) return false;
    try {
      const info = await jsm.consumers.info(this.config.stream, this.config.consumer);
      return info.num_pending === 0 && this.awaitingNext && this.buffer.length === 0;
    } catch {
      return false;
    }
  }

  private heldDrained(graceMs: number): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.ctx.clock.setTimeout(resolve, graceMs);
      this.heldWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }
}

/** Acks and naks go out on a connection that may be closing; losing one only means a redelivery. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // redelivered after ack_wait
  }
}
