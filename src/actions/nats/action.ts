// The nats action: publishes each event's records to a JetStream stream and releases them on the server's PubAck.
import os from "node:os";
import type { JetStreamClient, JetStreamManager, NatsConnection, RetentionPolicy, StorageType } from "nats";
import type { Action, ActionContext } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import type { LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import {
  connectionOptions,
  connectWithRetry,
  jsErrorCode,
  natsErrorCode,
  watchStatus,
  nanos,
  type ConnectLoop,
} from "../../nats/connection.js";
import { encodeEvent, type OutMessage } from "./encode.js";
import type { NatsActionConfig } from "./schema.js";
import { streamSubjects } from "./subject.js";
import { Slots } from "./slots.js";
import { Sleeper } from "../../core/sleeper.js";

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const STREAM_NAME_IN_USE = 10058;
const STREAM_NOT_FOUND = 10059;

/**
 * Publishes with a bounded number of messages awaiting their PubAck. A failed publish (server down,
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
    void this.loop.connection.then((nc) => this.onConnected(nc));
  }

  /** Resolves once every message of the event is in flight; release runs after the last PubAck. */
  async send(event: LogEvent, release: Release): Promise<void> {
    const messages = encodeEvent(event, {
      template: this.config.subject,
      hostname: this.hostname,
      maxBytes: this.maxPayload(),
    });
    let remaining = messages.length;
    for (const message of messages) {
      if (message.truncated) this.metrics.truncated.inc(this.labels);
      if (!(await this.slots.acquire())) return; // stopping: leave it unreleased
      if (this.stopped) {
        this.slots.release();
        return;
      }
      this.metrics.inFlight.inc(this.labels);
      void this.publish(message).then((stored) => {
        this.slots.release();
        this.metrics.inFlight.dec(this.labels);
        if (stored && --remaining === 0) release();
      });
    }
  }

  async flush(deadlineMs: number): Promise<void> {
    await this.slots.idle(deadlineMs, this.ctx.clock);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.cancel();
    this.slots.close();
    this.sleeper.wakeAll();
    await this.nc?.close().catch(() => {});
  }

  private onConnected(nc: NatsConnection | undefined): void {
    if (!nc) return;
    this.nc = nc;
    this.js = nc.jetstream({ timeout: this.config.ack_timeout });
    void nc.jetstreamManager({ checkAPI: false }).then((jsm) => (this.jsm = jsm));
    void watchStatus(nc, this.ctx.logger, (up) => this.metrics.connected.set(this.labels, up ? 1 : 0));
    this.sleeper.wakeAll(); // publishers waiting for a connection go now
  }

  private maxPayload(): number {
    return this.nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Publish until the server stores it (true), or until the action stops (false). */
  private async publish(message: OutMessage): Promise<boolean> {
    const msgID = this.msgIdPrefix + (++this.seq).toString(36);
    for (let attempt = 1; !this.stopped; attempt++) {
      const js = this.js;
      if (!js) {
        await this.sleeper.sleep(1000);
        continue;
      }
      try {
        await this.ensureStream();
        const ack = await js.publish(message.subject, message.data, {
          msgID,
          expect: { streamName: this.config.stream },
        });
        if (ack.duplicate) this.metrics.duplicates.inc(this.labels);
        this.metrics.published.inc(this.labels);
        return true;
      } catch (err) {
        if (this.stopped) break;
        this.onPublishError(err, message.subject, attempt);
        await this.sleeper.sleep(Math.min(30_000, 250 * 2 ** Math.min(attempt - 1, 7)));
      }
    }
    return false;
  }

  private onPublishError(err: unknown, subject: string, attempt: number): void {
    this.metrics.failures.inc(this.labels);
    // "503": no stream takes the subject (deleted, or the server came back without it): check again.
    if (natsErrorCode(err) === "503" || jsErrorCode(err) === STREAM_NOT_FOUND) this.streamReady = undefined;
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
    const jsm = this.jsm ?? (this.jsm = await nc.jetstreamManager({ checkAPI: false }));
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
