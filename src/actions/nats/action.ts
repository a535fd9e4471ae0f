// The nats action: publishes events' records to a JetStream stream in batches, releasing them on the server's PubAck.
import os from "node:os";
import type { JetStreamClient, JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import type { Action, ActionContext } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import { ACCEPTED, type LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import {
  connectionOptions,
  connectWithRetry,
  jsErrorCode,
  loadJetStream,
  natsErrorName,
  watchStatus,
  nanos,
  type ConnectLoop,
} from "../../nats/connection.js";
import { BATCH_HEADER, BATCH_VERSION } from "../../nats/batch-format.js";
import { within } from "../../core/lifetime.js";
import { OpenBatch, settle, type BatchLimits, type PendingEvent } from "./batches.js";
import { encodeEvent, encodeRecord, HEADER_ROOM, type EncodeOptions, type OutMessage } from "./encode.js";
import type { NatsActionConfig } from "./schema.js";
import { streamSubjects } from "./subject.js";
import { Slots } from "./slots.js";
import { Sleeper } from "../../core/sleeper.js";

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const STREAM_NAME_IN_USE = 10058;
const STREAM_NOT_FOUND = 10059;

/**
 * Gathers lines into one message per subject (up to max_batch_lines and max_batch_bytes) and publishes with a
 * bounded number of messages awaiting their PubAck. A failed publish (server down,
 * timeout, no stream yet) is retried with backoff under the same Nats-Msg-Id, so the stream's duplicate
 * window drops a copy that did land; nothing is released until the server has stored it, and nothing
 * is dropped: on stop, what is unacknowledged stays unreleased (its source will read it again).
 */
export class NatsAction implements Action {
  private readonly loop: ConnectLoop;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private streamReady: Promise<void> | undefined;
  private readonly slots: Slots;
  private stopped = false;
  private readonly sleeper: Sleeper;
  private readonly hostname = os.hostname();
  private readonly msgIdPrefix = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}-`;
  private seq = 0;
  /** Open batch per subject: lines gathered into the next message. */
  private readonly open = new Map<string, OpenBatch>();
  private sealScheduled = false;
  /** Below this many messages awaiting their PubAck, a batch leaves at the end of the tick instead of growing. */
  private readonly eagerSlots: number;
  private batchHeaders: MsgHdrs | undefined;
  private batchLimits: BatchLimits | undefined;
  private encoding: EncodeOptions | undefined;
  /** The lone line of the event being sent: filled in place, one object for every send. */
  private readonly scratch: OutMessage = { subject: "", text: "", truncated: false };
  /** The server's max_payload, read again once a tick (it may change with a reconnection). */
  private payloadLimit = DEFAULT_MAX_PAYLOAD;
  private readonly metrics;
  private readonly labels;

  constructor(
    private readonly config: NatsActionConfig,
    private readonly ctx: ActionContext,
  ) {
    this.slots = new Slots(config.max_in_flight);
    this.sleeper = new Sleeper(ctx.clock);
    this.labels = { action: ctx.name };
    const m = ctx.metrics;
    this.metrics = {
      published: m.counter("nats_published_total", "Messages stored in JetStream (PubAck received)", ["action"]),
      lines: m.counter("nats_published_lines_total", "Lines in the messages stored in JetStream", ["action"]),
      failures: m.counter("nats_publish_failures_total", "Publish attempts that failed and will be retried", [
        "action",
      ]),
      duplicates: m.counter("nats_publish_duplicates_total", "Retried publishes the stream had already stored", [
        "action",
      ]),
      truncated: m.counter("nats_truncated_total", "Lines cut to fit the server's max_payload", ["action"]),
      inFlight: m.gauge("nats_in_flight", "Messages published and awaiting their PubAck", ["action"]),
      connected: m.gauge("nats_action_connected", "1 while the action is connected to NATS", ["action"]),
    };
    this.loop = connectWithRetry(connectionOptions(config, `logward action ${ctx.name}`), ctx.clock, ctx.logger);
    void this.loop.connection
      .then((nc) => this.onConnected(nc))
      .catch((err: unknown) => ctx.logger.error({ err: describeError(err) }, "cannot use the NATS connection"));
    this.eagerSlots = Math.max(1, Math.floor(config.max_in_flight / 8));
  }

  /**
   * Adds the event's lines to the open batch of their subject; a full batch is published first, waiting for a
   * slot (backpressure). Resolves once every line is in a batch; release runs after the last PubAck. A lone line
   * that needs no waiting (the usual case) is taken in this turn and ACCEPTED returned.
   */
  send(event: LogEvent, release: Release): Promise<void> {
    if (event.records.length === 1) {
      const line = encodeRecord(event, 0, this.encodeOptions(), this.scratch);
      if (this.addNow(line, release)) {
        this.scheduleSeal();
        return ACCEPTED;
      }
      return this.sendLines([{ ...line }], release);
    }
    return this.sendLines(encodeEvent(event, this.encodeOptions()), release);
  }

  /** Add a line without waiting: false (nothing done) when its batch is full and no slot is free to publish it. */
  private addNow(line: OutMessage, hold: Release | PendingEvent): boolean {
    const batch = this.openBatch(line.subject);
    if (!batch.tryAdd(line.text, this.limits(), hold)) {
      if (this.stopped || !this.slots.tryAcquire()) return false;
      this.open.delete(line.subject);
      this.publishInSlot(batch);
      this.openBatch(line.subject).tryAdd(line.text, this.limits(), hold); // an empty batch takes any line
    }
    if (line.truncated) this.metrics.truncated.inc(this.labels);
    return true;
  }

  /** The slow way: lines of a bigger event, or a full batch waiting for a slot. */
  private async sendLines(lines: OutMessage[], release: Release): Promise<void> {
    const pending: PendingEvent = { remaining: 1, release };
    const hold = lines.length === 1 ? release : pending;
    for (const line of lines) {
      for (;;) {
        const batch = this.openBatch(line.subject); // another send may have opened one while this one waited
        if (batch.tryAdd(line.text, this.limits(), hold)) break;
        this.open.delete(line.subject);
        if (!(await this.dispatch(batch))) return; // stopping: leave it unreleased
      }
      if (line.truncated) this.metrics.truncated.inc(this.labels);
    }
    if (hold === pending) settle(pending);
    this.scheduleSeal();
  }

  private openBatch(subject: string): OpenBatch {
    let batch = this.open.get(subject);
    if (!batch) this.open.set(subject, (batch = new OpenBatch(subject)));
    return batch;
  }

  /**
   * Publish the open batches now when few messages await their PubAck; otherwise they keep growing until full
   * or until a PubAck frees a slot (then sealOpen runs again): the busier the server, the bigger the batches.
   */
  private scheduleSeal(): void {
    if (this.sealScheduled) return;
    this.sealScheduled = true;
    setImmediate(() => {
      this.sealScheduled = false;
      this.payloadLimit = this.nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
      this.sealOpen();
    });
  }

  private sealOpen(): void {
    for (const [subject, batch] of this.open) {
      if (this.stopped || this.slots.inUse >= this.eagerSlots) return;
      this.open.delete(subject);
      void this.dispatch(batch);
    }
  }

  /** Publish a batch once a slot is free; false when stopping first (its events stay unreleased). */
  private async dispatch(batch: OpenBatch): Promise<boolean> {
    if (!(await this.slots.acquire())) return false;
    if (this.stopped) {
      this.slots.release();
      return false;
    }
    this.publishInSlot(batch);
    return true;
  }

  /** Publish a batch in the slot taken for it; its events are released once the server stored it. */
  private publishInSlot(batch: OpenBatch): void {
    this.metrics.inFlight.inc(this.labels);
    void this.publish(batch).then((stored) => {
      this.slots.release();
      this.metrics.inFlight.dec(this.labels);
      if (!stored) return;
      this.metrics.lines.inc(this.labels, batch.count);
      batch.stored();
      if (this.open.size > 0) this.sealOpen();
    });
  }

  /** The batch limits for the server's max_payload (known once connected). */
  private limits(): BatchLimits {
    const bytes = Math.min(this.config.max_batch_bytes, this.maxPayload() - HEADER_ROOM);
    if (this.batchLimits?.bytes !== bytes) this.batchLimits = { lines: this.config.max_batch_lines, bytes };
    return this.batchLimits;
  }

  private encodeOptions(): EncodeOptions {
    const maxBytes = this.maxPayload();
    if (this.encoding?.maxBytes !== maxBytes)
      this.encoding = { template: this.config.subject, hostname: this.hostname, maxBytes };
    return this.encoding;
  }

  async flush(deadlineMs: number): Promise<void> {
    const until = this.ctx.clock.now() + deadlineMs; // one deadline for both waits
    const dispatched = [...this.open.values()].map((batch) => this.dispatch(batch));
    this.open.clear();
    await within(this.ctx.clock, deadlineMs, Promise.all(dispatched));
    await this.slots.idle(Math.max(0, until - this.ctx.clock.now()), this.ctx.clock);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.cancel();
    this.slots.close();
    this.sleeper.wakeAll();
    await this.nc?.close().catch(() => {});
  }

  private async onConnected(nc: NatsConnection | undefined): Promise<void> {
    if (!nc) return;
    const [{ jetstream, jetstreamManager }, { headers }] = await Promise.all([
      loadJetStream(),
      import("@nats-io/transport-node"),
    ]);
    this.nc = nc;
    this.payloadLimit = nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    this.batchHeaders = headers();
    this.batchHeaders.set(BATCH_HEADER, String(BATCH_VERSION));
    this.js = jetstream(nc, { timeout: this.config.ack_timeout });
    this.jsm = await jetstreamManager(nc, { checkAPI: false });
    void watchStatus(nc, this.ctx.logger, (up) => this.metrics.connected.set(this.labels, up ? 1 : 0));
    this.sleeper.wakeAll(); // publishers waiting for a connection go now
  }

  private maxPayload(): number {
    return this.payloadLimit;
  }

  /** Publish until the server stores it (true), or until the action stops (false). */
  private async publish(batch: OpenBatch): Promise<boolean> {
    const msgID = this.msgIdPrefix + (++this.seq).toString(36);
    const data = batch.payload();
    for (let attempt = 1; !this.stopped; attempt++) {
      const js = this.js;
      if (!js) {
        await this.sleeper.sleep(1000);
        continue;
      }
      try {
        await this.ensureStream();
        const ack = await js.publish(batch.subject, data, {
          msgID,
          expect: { streamName: this.config.stream },
          ...(batch.count > 1 ? { headers: this.batchHeaders } : {}),
        });
        if (ack.duplicate) this.metrics.duplicates.inc(this.labels);
        this.metrics.published.inc(this.labels);
        return true;
      } catch (err) {
        if (this.stopped) break;
        this.onPublishError(err, batch.subject, attempt);
        await this.sleeper.sleep(Math.min(30_000, 250 * 2 ** Math.min(attempt - 1, 7)));
      }
    }
    return false;
  }

  private onPublishError(err: unknown, subject: string, attempt: number): void {
    this.metrics.failures.inc(this.labels);
    // "503": no stream takes the subject (deleted, or the server came back without it): check again.
    if (natsErrorName(err) === "JetStreamNotEnabled" || jsErrorCode(err) === STREAM_NOT_FOUND)
      this.streamReady = undefined;
    // The first failure of a message and then every tenth, so an outage does not flood the log.
    if (attempt === 1 || attempt % 10 === 0) {
      this.ctx.logger.warn(
        { subject, stream: this.config.stream, attempt, err: describeError(err) },
        "NATS publish failed; retrying",
      );
    }
  }

  /** With create_stream, make sure the stream exists (once, again after a "no stream" failure). */
  private ensureStream(): Promise<void> {
    if (!this.config.create_stream) return Promise.resolve();
    this.streamReady ??= this.createStreamIfMissing().catch((err) => {
      this.streamReady = undefined;
      throw err;
    });
    return this.streamReady;
  }

  private async createStreamIfMissing(): Promise<void> {
    const nc = this.nc;
    if (!nc) throw new Error("not connected");
    const jsm = this.jsm ?? (this.jsm = await (await loadJetStream()).jetstreamManager(nc, { checkAPI: false }));
    const name = this.config.stream;
    try {
      await jsm.streams.info(name);
      return;
    } catch (err) {
      if (jsErrorCode(err) !== STREAM_NOT_FOUND) throw err;
    }
    const subjects = this.config.subjects ?? streamSubjects(this.config.subject) ?? [];
    try {
      await jsm.streams.add({
        name,
        subjects,
        retention: this.config.retention as RetentionPolicy,
        storage: this.config.storage as StorageType,
        ...(this.config.max_age !== undefined ? { max_age: nanos(this.config.max_age) } : {}),
        ...(this.config.max_bytes !== undefined ? { max_bytes: this.config.max_bytes } : {}),
      });
      this.ctx.logger.info({ stream: name, subjects, retention: this.config.retention }, "created JetStream stream");
    } catch (err) {
      if (jsErrorCode(err) !== STREAM_NAME_IN_USE) throw err; // another agent created it first: fine
    }
  }
}
