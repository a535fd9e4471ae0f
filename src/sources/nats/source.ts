// The nats source: a durable JetStream pull consumer shared by any number of logward instances.
import type { Consumer, ConsumerMessages, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Source, SourceContext } from "../../core/component.js";
import { describeError, LogwardError } from "../../core/errors.js";
import { CountingAck, type LogRecord } from "../../core/record.js";
import {
  connectionOptions,
  connectWithRetry,
  loadJetStream,
  watchStatus,
  type ConnectLoop,
} from "../../nats/connection.js";
import { BATCH_HEADER } from "../../nats/batch-format.js";
import { ensureConsumer, StreamMissing } from "./consumer.js";
import { decodeMessages } from "./decode.js";
import { Leases, safely, type Lease } from "./leases.js";
import { natsSourceMetrics } from "./metrics.js";
import type { NatsSourceConfig } from "./schema.js";
import { Sleeper } from "../../core/sleeper.js";
import { within } from "../../core/lifetime.js";
import { SerialRunner } from "../../core/serial.js";

/** How long stop() waits for emitted batches to be delivered and acknowledged. */
const STOP_GRACE_MS = 30_000;
/** How long stop() waits for the batch in hand to be accepted. */
const EMIT_WAIT_MS = 2000;
/** With --once, how long to wait for a first connection before failing. */
const ONCE_CONNECT_TIMEOUT_MS = 60_000;
/** A pull request waits this long for messages, then another is made (and a lost server is noticed). */
const FETCH_EXPIRES_MS = 5000;
/** Records per emitted batch at most (a message's lines are never split between batches). */
const EMIT_RECORDS = 2000;

/**
 * Pulls messages and emits their records; a message is acknowledged only when the batch holding its lines
 * has its Ack complete (every action delivered every line). From the moment a message arrives until then, the
 * source tells the server it is still working on it, so neither a slow action nor a long prefetch causes a
 * redelivery while this instance holds it; if this process dies, the server redelivers the unacknowledged
 * messages to another instance after ack_wait. The next pull is made only while fewer than `batch` messages
 * wait to be emitted. At-least-once: a message may be seen twice (a crash after delivery, before the ack).
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
  /** Messages received and not yet emitted (each also in leases). */
  private buffer: Lease[] = [];
  /** Emits what is buffered, one batch at a time (backpressure). */
  private readonly flusher = new SerialRunner(() => this.emitBuffered());
  private readonly leases: Leases;
  /** Wakes the reader waiting for room to pull again. */
  private roomWaiter: (() => void) | undefined;
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
    this.leases = new Leases(ctx.clock, config.ack_wait);
    this.metrics = natsSourceMetrics(ctx.metrics);
  }

  async start(): Promise<void> {
    this.loop = connectWithRetry(
      connectionOptions(this.config, `logward source ${this.ctx.name}`),
      this.ctx.clock,
      this.ctx.logger,
    );
    this.running = this.run(this.loop);
    this.leases.startHeartbeat();
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
    this.roomWaiter?.();
    await this.messages?.close().catch(() => undefined);
    // A batch the pipeline never accepts (actions full at shutdown) must not hold the process forever.
    await within(this.ctx.clock, Math.min(graceMs, EMIT_WAIT_MS), Promise.all([this.flusher.idle(), this.running]));
    // taken but never emitted: let another instance have them now
    this.leases.nakAll(this.buffer.splice(0));
    this.metrics.held.set(this.labels, this.leases.size);
    await this.leases.drained(graceMs);
    const left = this.leases.size;
    if (left > 0)
      this.ctx.logger.warn(
        { messages: left },
        "stopping with unacknowledged NATS messages; the server redelivers them after ack_wait",
      );
    this.leases.stopHeartbeat();
    await this.disconnect();
  }

  /** Disconnect at once without acknowledging anything, as a crash would (for tests and fail-fast paths). */
  async abort(): Promise<void> {
    this.aborted = true;
    this.stopped = true;
    this.loop?.cancel();
    this.sleeper.wakeAll();
    this.roomWaiter?.();
    this.leases.stopHeartbeat();
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
        this.jsm ??= await (await loadJetStream()).jetstreamManager(nc, { checkAPI: false });
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

  /**
   * Pull while fewer than `batch` messages wait to be emitted; each arriving message is leased (kept alive) at
   * once and buffered, never left unseen in a queue while the pipeline is busy.
   */
  private async consume(nc: NatsConnection): Promise<void> {
    const { jetstream } = await loadJetStream();
    const consumer = await jetstream(nc).consumers.get(this.config.stream, this.config.consumer);
    this.consuming = true;
    while (!this.stopped) {
      await this.room();
      if (this.stopped) break;
      await this.pull(consumer);
    }
  }

  private async pull(consumer: Consumer): Promise<void> {
    const messages = await consumer.fetch({ max_messages: this.config.batch, expires: FETCH_EXPIRES_MS });
    this.messages = messages;
    if (this.stopped) messages.stop();
    this.awaitingNext = true;
    for await (const msg of messages) {
      this.awaitingNext = false;
      this.buffer.push(this.leases.take(msg)); // when stopping, stop() hands the buffer back to the server
      this.metrics.held.set(this.labels, this.leases.size);
      if (this.stopped) break;
      this.flusher.schedule();
      this.awaitingNext = true;
    }
    this.awaitingNext = false;
  }

  /** Resolves when fewer than `batch` messages wait to be emitted (or when stopping). */
  private room(): Promise<void> {
    if (this.buffer.length < this.config.batch || this.stopped) return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiter = resolve));
  }

  private async emitBuffered(): Promise<void> {
    const { leases, records } = this.takeBuffered();
    if (this.buffer.length < this.config.batch) this.wakeReader();
    if (leases.length === 0 || this.aborted) return;
    const ack = new CountingAck(() => this.acknowledge(leases));
    try {
      await this.ctx.emit({ source: this.ctx.name, records, ack });
      ack.releaseInitial();
    } catch (err) {
      this.ctx.logger.error(
        { err: describeError(err), messages: leases.length },
        "NATS batch not accepted; handing it back to the server",
      );
      this.leases.nakAll(leases);
      this.metrics.held.set(this.labels, this.leases.size);
    }
    if (this.buffer.length > 0) this.flusher.schedule();
  }

  /** Whole messages off the buffer (at least one; up to `batch` and about EMIT_RECORDS records), decoded. */
  private takeBuffered(): { leases: Lease[]; records: LogRecord[] } {
    const leases: Lease[] = [];
    const records: LogRecord[] = [];
    const fits = () => leases.length < this.config.batch && records.length < EMIT_RECORDS;
    while (this.buffer.length > 0 && (leases.length === 0 || fits())) {
      const lease = this.buffer.shift() as Lease;
      if (this.leases.expired(lease)) {
        // Unseen by the server past ack_wait (a stalled process): it redelivers it; acting now would act twice.
        this.leases.end(lease);
        this.metrics.expired.inc(this.labels);
        continue;
      }
      leases.push(lease);
      for (const record of this.decode(lease)) records.push(record);
    }
    this.metrics.received.inc(this.labels, leases.length);
    this.metrics.lines.inc(this.labels, records.length);
    return { leases, records };
  }

  private decode(lease: Lease): LogRecord[] {
    const msg = lease.msg;
    if (msg.redelivered) this.metrics.redelivered.inc(this.labels);
    const meta = { subject: msg.subject, storedAt: Math.floor(msg.info.timestampNanos / 1e6) };
    const decoded = decodeMessages(msg.data, msg.headers?.get(BATCH_HEADER) || undefined, meta, this.ctx.name);
    if (decoded.errors.length > 0) {
      this.metrics.decodeErrors.inc(this.labels, decoded.errors.length);
      this.ctx.logger.warn(
        { subject: msg.subject, stream_seq: msg.seq, bytes: msg.data.length, err: decoded.errors[0] },
        "NATS message not readable as logward's format; passed on as text with fields.decode_error",
      );
    }
    return decoded.records;
  }

  private wakeReader(): void {
    const wake = this.roomWaiter;
    this.roomWaiter = undefined;
    wake?.();
  }

  private acknowledge(leases: Lease[]): void {
    if (this.aborted) return;
    let acked = 0;
    for (const lease of leases) {
      if (!this.leases.end(lease)) continue;
      safely(() => lease.msg.ack());
      acked++;
    }
    this.metrics.acked.inc(this.labels, acked);
    this.metrics.held.set(this.labels, this.leases.size);
  }

  private async nothingPending(): Promise<boolean> {
    const jsm = this.jsm;
    if (!jsm) return false;
    if (this.streamMissing) return true;
    if (!this.awaitingNext || this.buffer.length > 0 || this.flusher.scheduled) return false;
    try {
      const info = await jsm.consumers.info(this.config.stream, this.config.consumer);
      return info.num_pending === 0 && this.awaitingNext && this.buffer.length === 0;
    } catch {
      return false;
    }
  }
}
