// GET /api/stream: Server-Sent Events of one source's lines (or every source's) in batches — history on connect,
// resume, filter, bounded buffering.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { ClientPattern, PatternSandbox, Span } from "../core/untrusted-pattern.js";
import type { Feed, HubLine, WebHub } from "./hub.js";
import { lineFrames } from "./frames.js";
import { SseClient, sseFrame, type SseClientOptions, type SseFrame } from "./sse.js";
import { SECURITY_HEADERS, badRequest, filterFailed, parseMatch, queryString, sourceParam } from "./http.js";

export interface StreamDeps {
  hub: WebHub;
  metrics: Metrics;
  logger: Logger;
  sandbox: PatternSandbox;
  maxPendingBytes: number;
  /** Open streams, so closing the server can end them. */
  clients: Set<SseClient>;
}

/** Streams beyond this are refused (503): each one holds a socket and a queue. */
export const MAX_STREAMS = 100;
const PING_MS = 15_000;
/** How long the browser waits before reconnecting after the stream drops. */
const RETRY_MS = 1000;

type ClientCounters = Pick<SseClientOptions, "onSent" | "onDropped" | "onQueuePeak">;

export function registerStream(app: FastifyInstance, deps: StreamDeps): void {
  const clientsGauge = deps.metrics.gauge("web_clients", "Browsers connected to the live stream");
  const sent = deps.metrics.counter("web_events_sent_total", "Lines sent to browsers over the live stream");
  const dropped = deps.metrics.counter("web_events_dropped_total", "Lines dropped for browsers that did not keep up");
  const queuePeak = deps.metrics.gauge(
    "web_client_queue_peak_bytes",
    "Most bytes one live-stream client has had waiting (our bounded queue plus the socket's buffer)",
  );
  let highest = 0;
  const counters: ClientCounters = {
    onSent: (n) => sent.inc(n),
    onDropped: (n) => dropped.inc(n),
    onQueuePeak: (bytes) => {
      if (bytes > highest) queuePeak.set((highest = bytes));
    },
  };
  // Slots are taken before the first await and given back on every path, so no failure can leak one.
  let slots = 0;

  app.get("/api/stream", { exposeHeadRoute: false }, async (request, reply) => {
    // Without a source: every source's lines in one stream, resumed on the hub-wide sequence.
    const source = sourceParam(request);
    if (source === undefined) return badRequest(reply, "source may be given once");
    if (source !== null && !deps.hub.hasSource(source))
      return reply.code(404).send({ error: "not_found", message: `no source named ${source}` });
    const filter = parseMatch(request, reply, deps.sandbox);
    if (filter === null) return reply;
    if (slots >= MAX_STREAMS) return reply.code(503).send({ error: "busy", message: "too many live streams" });
    slots++;
    clientsGauge.inc();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      slots--;
      clientsGauge.dec();
    };
    const stream = new LiveStream(source, filter, deps, counters, release);
    try {
      return await stream.open(request, reply);
    } catch (err) {
      stream.fail(err);
      return reply.sent ? reply : reply.code(500).send({ error: "internal", message: "the stream failed" });
    }
  });
}

/** One browser's stream: history first, then each batch the hub pushes, filtered in order. */
class LiveStream {
  private client: SseClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private ping: NodeJS.Timeout | undefined;
  /** Filtered batches in flight (regex filters run in the sandbox): their order is kept by chaining. */
  private chain: Promise<void> = Promise.resolve();
  private waitingChars = 0;
  /** Batches pushed while the history was being filtered; sent after it (bounded: see onLines). */
  private early: HubLine[][] | undefined = [];
  private earlyLines = 0;

  constructor(
    private readonly source: Feed,
    private readonly filter: ClientPattern | undefined,
    private readonly deps: StreamDeps,
    private readonly counters: ClientCounters,
    private readonly release: () => void,
  ) {}

  async open(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { hub } = this.deps;
    const resumeFrom = resumePoint(request, hub.epoch);
    // Subscribe before filtering the history, so lines pushed meanwhile are neither lost nor sent twice.
    this.unsubscribe = hub.subscribe(this.source, (lines) => this.onLines(lines));
    const { lines, missed } =
      resumeFrom !== undefined
        ? hub.since(this.source, resumeFrom)
        : { lines: hub.tail(this.source, hub.historyLines), missed: 0 };
    let spans: Span[] | undefined;
    try {
      spans = await this.spans(lines);
    } catch (err) {
      this.stop();
      return filterFailed(reply, err);
    }
    if (request.raw.socket.destroyed) {
      this.stop();
      return reply;
    }
    this.client = openSse(reply, this.deps.maxPendingBytes, this.counters);
    this.deps.clients.add(this.client);
    reply.raw.on("close", () => this.stop());
    const hello = { type: "hello", epoch: hub.epoch, source: this.source, match: this.filter?.source ?? null };
    const frames: SseFrame[] = [{ text: sseFrame({ ...hello, resumed: resumeFrom !== undefined }), lines: 0 }];
    if (missed > 0) frames.push({ text: sseFrame({ type: "missed", count: missed }), lines: 0 });
    frames.push(...lineFrames(this.source, lines, spans, hub.epoch));
    this.client.send(frames);
    const early = this.early ?? [];
    this.early = undefined;
    if (this.earlyLines > hub.historyLines) {
      this.fail(new Error("the filter fell behind the lines"));
      return reply;
    }
    for (const batch of early) this.onLines(batch);
    this.ping = setInterval(() => this.client?.ping(), PING_MS);
    this.ping.unref();
    this.deps.logger.debug(
      { source: this.source, match: this.filter?.source, resumed: resumeFrom !== undefined },
      "web stream opened",
    );
    return reply;
  }

  /** Anything thrown after the response began: end this stream, never the daemon. */
  fail(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const level = code === "PATTERN_TOO_SLOW" || code === "PATTERN_BUSY" ? "debug" : "warn";
    this.deps.logger[level]({ source: this.source, err: describeError(err) }, "web stream ended");
    if (this.client && !this.client.isClosed) {
      const message = code === "PATTERN_TOO_SLOW" ? (err as Error).message : "the stream failed";
      this.client.send([{ text: sseFrame({ type: "error", message }), lines: 0 }]);
      this.client.end();
    }
    this.stop();
  }

  private onLines(lines: HubLine[]): void {
    if (this.early) {
      // More than a history's worth arrived meanwhile: the browser will resume from its last id instead.
      this.earlyLines += lines.length;
      if (this.earlyLines <= this.deps.hub.historyLines) this.early.push(lines);
      return;
    }
    const client = this.client;
    if (!client || client.isClosed) return;
    const now = !this.filter ? undefined : this.filter.now;
    if (!this.filter || now) {
      client.send(lineFrames(this.source, lines, now?.(lines.map((l) => l.line)), this.deps.hub.epoch));
      return;
    }
    // A browser whose filter cannot keep up is ended: it reconnects and resumes from its last id.
    const chars = lines.reduce((sum, l) => sum + l.line.length, 0);
    if (this.waitingChars + chars > this.deps.maxPendingBytes)
      return this.fail(new Error("the filter fell behind the lines"));
    this.waitingChars += chars;
    this.chain = this.chain
      .then(async () => {
        const spans = await this.spans(lines);
        this.waitingChars -= chars;
        client.send(lineFrames(this.source, lines, spans, this.deps.hub.epoch));
      })
      .catch((err: unknown) => this.fail(err));
  }

  private spans(lines: HubLine[]): Promise<Span[] | undefined> {
    if (!this.filter || lines.length === 0) return Promise.resolve(undefined);
    return this.filter.spans(lines.map((l) => l.line));
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.ping);
    if (this.client) this.deps.clients.delete(this.client);
    this.release();
  }
}

/** Take the response over as an event stream: headers, the retry delay, and a bounded client writing to it. */
export function openSse(reply: FastifyReply, maxPendingBytes: number, counters: ClientCounters): SseClient {
  reply.hijack(); // the response is ours from here: fastify hooks no longer add headers
  const res = reply.raw;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no", // nginx in front: do not hold events back
  });
  res.socket?.setNoDelay(true);
  res.write(`retry: ${RETRY_MS}\n\n`);
  return new SseClient(res, { maxPendingBytes, ...counters });
}

/** The sequence number to resume after, from Last-Event-ID (or ?last_id=), when it is from this hub. */
export function resumePoint(request: FastifyRequest, epoch: string): number | undefined {
  const header = request.headers["last-event-id"];
  const id = (typeof header === "string" ? header : undefined) ?? queryString(request, "last_id");
  if (!id) return undefined;
  const dash = id.lastIndexOf("-");
  const n = Number(id.slice(dash + 1));
  if (dash < 0 || id.slice(0, dash) !== epoch || !Number.isSafeInteger(n) || n < 0) return undefined;
  return n;
}
