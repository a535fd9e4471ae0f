// The file action: append each event as JSON lines to a file, one write per burst of sends, releasing
// events once their write is done; follows the file when it is rotated or deleted.
import type { Action, ActionContext, ActionKind } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import { ACCEPTED, type LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import { Appender } from "./appender.js";
import { PendingBytes } from "./pending.js";
import { expandHome } from "../../core/paths.js";
import { within } from "../../core/lifetime.js";

import { fileSchema, type FileConfig } from "./schema.js";
export { fileSchema, type FileConfig } from "./schema.js";

/** Waits before retrying a failed write; after the last, the burst is given up (logged, released). */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

/** Bytes buffered while a write is in progress before send() waits for it (backpressure). */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

export const fileAction: ActionKind<FileConfig> = {
  type: "file",
  schema: fileSchema,
  create: (config, context) => new FileAction(config, context),
};

export class FileAction implements Action {
  private readonly appender: Appender;
  private readonly pending = new PendingBytes();
  /** The releases of the events pending, each with how many events in a row it was given for (see send). */
  private releases: Release[] = [];
  private repeats: number[] = [];
  private draining: Promise<void> | undefined;
  /** Releases run once each, in the order given (after the write that holds their events, or its giving up). */
  readonly releasesInOrder = true;

  constructor(
    config: FileConfig,
    private readonly context: ActionContext,
  ) {
    this.appender = new Appender(expandHome(config.path), config.fsync);
  }

  /** Takes the event at once (ACCEPTED, nothing for the pipeline to await) unless too many bytes wait already. */
  send(event: LogEvent, release: Release): Promise<void> {
    this.pending.addEvent(event);
    // Events of one batch share their release (Ack.ordered): one entry for a run of them, not one per event.
    const last = this.releases.length - 1;
    if (last >= 0 && this.releases[last] === release) this.repeats[last] = (this.repeats[last] as number) + 1;
    else {
      this.releases.push(release);
      this.repeats.push(1);
    }
    // Sends of one dispatch arrive in the same turn: start writing on the next, so they share one append.
    const draining = (this.draining ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .catch((err: unknown) => this.context.logger.error({ err: describeError(err) }, "file action failed")));
    return this.pending.bytes >= HIGH_WATER_BYTES ? draining : ACCEPTED;
  }

  async flush(deadlineMs: number): Promise<void> {
    if (!this.draining) return;
    await within(this.context.clock, deadlineMs, this.draining);
  }

  async stop(): Promise<void> {
    await this.draining;
    await this.appender.close();
  }

  /** SIGHUP: close the file; the next write opens the path again. */
  reopen(): Promise<void> {
    return this.appender.reopen();
  }

  private async drain(): Promise<void> {
    try {
      while (this.releases.length > 0) {
        const data = this.pending.take();
        const releases = this.releases;
        const repeats = this.repeats;
        this.releases = [];
        this.repeats = [];
        await this.write(
          data,
          repeats.reduce((sum, n) => sum + n, 0),
        );
        this.pending.reuse(); // written or given up: nothing reads data any more
        for (let i = 0; i < releases.length; i++) {
          const release = releases[i] as Release;
          for (let n = repeats[i] as number; n > 0; n--) release();
        }
      }
    } finally {
      // Cleared in the same turn the queue is found empty, so the next send starts a new drain.
      this.draining = undefined;
    }
  }

  /** Append with retries; a burst that still fails is reported and given up. */
  private async write(data: Buffer, events: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.appender.append(data);
        return;
      } catch (err) {
        await this.appender.reopen();
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          this.context.logger.error(
            { file: this.appender.file, events, bytes: data.length, err: describeError(err) },
            "could not append to the file; these events are lost",
          );
          return;
        }
        this.context.logger.warn(
          { file: this.appender.file, err: describeError(err), retry_in_ms: delay },
          "could not append to the file; retrying",
        );
        await new Promise<void>((resolve) => this.context.clock.setTimeout(resolve, delay));
      }
    }
  }
}
