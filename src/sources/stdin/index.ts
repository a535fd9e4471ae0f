// The `stdin` source kind: lines from standard input (or any readable stream), in batches, until end of input.
import type { Readable } from "node:stream";
import type { Source, SourceContext, SourceKind } from "../../core/component.js";
import type { Timer } from "../../core/clock.js";
import { describeError } from "../../core/errors.js";
import { within } from "../../core/lifetime.js";
import { parsePattern } from "../../core/pattern.js";
import { CountingAck } from "../../core/record.js";
import { LineSplitter, Multiline, type RawLine } from "../lines/index.js";

/** How long stop() waits for the batch in hand to be accepted. */
const STOP_WAIT_MS = 2000;

import { stdinSourceSchema, type StdinSourceConfig } from "./schema.js";
export { stdinSourceSchema, type StdinSourceConfig } from "./schema.js";

/** A stdin source reading `input` (process.stdin by default; tests and the `stats` command may pass another stream). */
export function createStdinSource(
  config: StdinSourceConfig,
  ctx: SourceContext,
  input: Readable = process.stdin,
): Source {
  return new StdinSource(config, ctx, input);
}

export const stdinSource: SourceKind<StdinSourceConfig> = {
  type: "stdin",
  schema: stdinSourceSchema,
  create: (config, context) => createStdinSource(config, context),
};

class StdinSource implements Source {
  private readonly splitter: LineSplitter;
  private readonly multiline: Multiline | undefined;
  private stopping = false;
  private timer: Timer | undefined;
  /** Emissions run one after another (reads and multiline timeouts). */
  private chain: Promise<void> = Promise.resolve();
  private running: Promise<void> | undefined;
  private resolveCaught!: () => void;
  private readonly caught = new Promise<void>((resolve) => (this.resolveCaught = resolve));

  constructor(
    private readonly config: StdinSourceConfig,
    private readonly ctx: SourceContext,
    private readonly input: Readable,
  ) {
    this.splitter = new LineSplitter(config.max_line_bytes);
    this.multiline = config.multiline
      ? new Multiline(parsePattern(config.multiline.start), config.max_line_bytes)
      : undefined;
  }

  async start(): Promise<void> {
    this.running = this.read();
  }

  /** Resolves at end of input, once every line has been emitted. */
  caughtUp(): Promise<void> {
    return this.caught;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    this.input.pause();
    this.input.destroy();
    // A batch the pipeline never accepts (actions full at shutdown) must not hold the process forever.
    await within(this.ctx.clock, STOP_WAIT_MS, Promise.all([this.running, this.chain]));
  }

  private async read(): Promise<void> {
    try {
      for await (const chunk of this.input) {
        if (this.stopping) break;
        const raw = this.splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
        await this.emit(this.multiline ? this.multiline.push(raw) : raw);
        this.armTimer();
      }
      if (!this.stopping) await this.emit(this.flushAll());
    } catch (err) {
      if (!this.stopping) this.ctx.logger.error({ err: describeError(err) }, "reading standard input failed");
    } finally {
      this.timer?.cancel();
      this.resolveCaught();
    }
  }

  private flushAll(): RawLine[] {
    const partial = this.splitter.flush();
    if (!this.multiline) return partial ? [partial] : [];
    const events = partial ? this.multiline.push([partial]) : [];
    const last = this.multiline.flush();
    return last ? [...events, last] : events;
  }

  private armTimer(): void {
    if (!this.multiline || !this.config.multiline) return;
    this.timer?.cancel();
    if (this.multiline.pendingOffset === undefined) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      const event = this.multiline?.flush();
      if (event) void this.emit([event]);
    }, this.config.multiline.timeout);
  }

  private emit(lines: RawLine[]): Promise<void> {
    if (lines.length === 0) return this.chain;
    const time = this.ctx.clock.now();
    const records = lines.map((l) => ({ source: this.ctx.name, offset: l.offset, line: l.text, time, fields: {} }));
    this.chain = this.chain.then(async () => {
      const ack = new CountingAck(() => {});
      try {
        await this.ctx.emit({ source: this.ctx.name, records, ack });
      } catch (err) {
        this.ctx.logger.error({ err: describeError(err) }, "pipeline refused a batch from standard input");
      }
      ack.releaseInitial();
    });
    return this.chain;
  }
}
