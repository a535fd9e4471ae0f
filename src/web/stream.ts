// GET /api/stream: Server-Sent Events of one source's lines in batches — history on connect, resume, filter, bounded buffering.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { Pattern } from "../core/pattern.js";
import type { WebHub } from "./hub.js";
import { lineFrames } from "./frames.js";
import { SseClient, sseFrame, type SseClientOptions, type SseFrame } from "./sse.js";
import { SECURITY_HEADERS, badRequest, parseMatch, queryString } from "./http.js";

export interface StreamDeps {
  hub: WebHub;
  metrics: Metrics;
  logger: Logger;
  maxPendingBytes: number;
  /** Open streams, so closing the server can end them. */
  clients: Set<SseClient>;
}

/** Streams beyond this are refused (503): each one holds a socket and a queue. */
const MAX_CLIENTS = 100;
const PING_MS = 15_000;
/** How long the browser waits before reconnecting after the stream drops. */
const RETRY_MS = 1000;

export function registerStream(app: FastifyInstance, deps: StreamDeps): void {
  const clientsGauge = deps.metrics.gauge("web_clients", "Browsers connected to the live stream");
  const sent = deps.metrics.counter("web_events_sent_total", "Lines sent to browsers over the live stream");
  const dropped = deps.metrics.counter("web_events_dropped_total", "Lines dropped for browsers that did not keep up");
  const queuePeak = deps.metrics.gauge(
    "web_client_queue_peak_bytes",
    "Most bytes one live-stream client has had waiting (our bounded queue plus the socket's buffer)",
  );
  let highest = 0;
  const onQueuePeak = (bytes: number): void => {
    if (bytes > highest) queuePeak.set((highest = bytes));
  };

  app.get("/api/stream", { exposeHeadRoute: false }, async (request, reply) => {
    const source = queryString(request, "source");
    if (!source) return badRequest(reply, "source is required: /api/stream?source=NAME");
    if (!deps.hub.hasSource(source))
      return reply.code(404).send({ error: "not_found", message: `no source named ${source}` });
    const pattern = parseMatch(request, reply);
    if (pattern === null) return reply;
    if (deps.clients.size >= MAX_CLIENTS)
      return reply.code(503).send({ error: "busy", message: "too many live streams" });

    const client = openStream(reply, deps, {
      onSent: (n) => sent.inc(n),
      onDropped: (n) => dropped.inc(n),
      onQueuePeak,
    });
    deps.clients.add(client);
    clientsGauge.inc();
    const resumeFrom = resumePoint(request, deps.hub.epoch);
    sendHistory(client, deps.hub, source, pattern, resumeFrom);
    const unsubscribe = deps.hub.subscribe(source, (lines) =>
      client.send(lineFrames(source, lines, pattern, deps.hub.epoch)),
    );
    const ping = setInterval(() => client.ping(), PING_MS);
    ping.unref();
    reply.raw.on("close", () => {
      unsubscribe();
      clearInterval(ping);
      deps.clients.delete(client);
      clientsGauge.dec();
    });
    deps.logger.debug({ source, match: pattern?.source, resumed: resumeFrom !== undefined }, "web stream opened");
    return reply;
  });
}

type ClientCounters = Pick<SseClientOptions, "onSent" | "onDropped" | "onQueuePeak">;

function openStream(reply: FastifyReply, deps: StreamDeps, counters: ClientCounters): SseClient {
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
  return new SseClient(res, { maxPendingBytes: deps.maxPendingBytes, ...counters });
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

function sendHistory(
  client: SseClient,
  hub: WebHub,
  source: string,
  pattern: Pattern | undefined,
  after: number | undefined,
): void {
  const resumed = after !== undefined;
  const frames: SseFrame[] = [
    { text: sseFrame({ type: "hello", epoch: hub.epoch, source, match: pattern?.source ?? null, resumed }), lines: 0 },
  ];
  const { lines, missed } = resumed
    ? hub.since(source, after)
    : { lines: hub.tail(source, hub.historyLines), missed: 0 };
  if (missed > 0) frames.push({ text: sseFrame({ type: "missed", count: missed }), lines: 0 });
  frames.push(...lineFrames(source, lines, pattern, hub.epoch));
  client.send(frames);
}
