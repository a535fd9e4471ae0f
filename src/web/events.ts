// GET /api/events: Server-Sent Events of stats reports and alerts as they happen, after a snapshot of what is held.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Metrics } from "../core/metrics.js";
import type { HubEvent, StatsEntry, WebHub } from "./hub.js";
import { SseClient, sseFrame } from "./sse.js";
import { openSse } from "./stream.js";

export interface EventsDeps {
  hub: WebHub;
  metrics: Metrics;
  /** Bytes that may wait for one client; a client that needs more is cut (it reconnects to a fresh snapshot). */
  maxPendingBytes: number;
  /** Open streams, so closing the server can end them. */
  clients: Set<SseClient>;
}

/** Event streams beyond this are refused (503): each one holds a socket and a queue. */
export const MAX_EVENT_STREAMS = 100;
const PING_MS = 15_000;

/** One chart point of a report. */
export interface StatsPoint {
  t: number;
  rate: number | null;
  hits: number | null;
}

/** One stats job as /api/stats and the events' snapshot give it: its points, and the latest report's details. */
export interface StatsJobView {
  job: string;
  points: StatsPoint[];
  sections: { name: string; hits: number }[];
  threshold: number | null;
  firing: boolean;
  latest: unknown;
}

export function statsPoint(entry: StatsEntry): StatsPoint {
  return {
    t: entry.summary.time ?? entry.received,
    rate: entry.summary.rate ?? null,
    hits: entry.summary.hits ?? null,
  };
}

/** The latest report's details (no points). */
function latestOf(entry: StatsEntry | undefined): Omit<StatsJobView, "job" | "points"> {
  return {
    sections: entry?.summary.sections ?? [],
    threshold: entry?.summary.threshold ?? null,
    firing: entry?.summary.firing ?? false,
    latest: entry?.report ?? null,
  };
}

export function statsJobs(hub: WebHub): StatsJobView[] {
  return Object.entries(hub.stats()).map(([job, entries]) => ({
    job,
    points: entries.map(statsPoint),
    ...latestOf(entries[entries.length - 1]),
  }));
}

/** The wire form of one hub event: a report adds a point to its job's chart; an alert joins the list. */
export function eventData(event: HubEvent): Record<string, unknown> {
  if (event.type === "alert") return { type: "alert", alert: event.entry };
  return { type: "report", job: event.entry.job, point: statsPoint(event.entry), ...latestOf(event.entry) };
}

export function registerEvents(app: FastifyInstance, deps: EventsDeps): void {
  const gauge = deps.metrics.gauge("web_event_clients", "Browsers connected to the events stream");
  const cut = deps.metrics.counter(
    "web_event_clients_cut_total",
    "Events streams closed because the browser did not read them (it reconnects to a fresh snapshot)",
  );
  let slots = 0;

  app.get("/api/events", { exposeHeadRoute: false }, async (request, reply) => {
    if (slots >= MAX_EVENT_STREAMS) return reply.code(503).send({ error: "busy", message: "too many event streams" });
    if (request.raw.socket.destroyed) return reply;
    // Taken and given back with no await between: the close handler below runs on every path.
    slots++;
    gauge.inc();
    const stop = followEvents(reply, deps, () => cut.inc());
    reply.raw.on("close", () => {
      stop();
      slots--;
      gauge.dec();
    });
    return reply;
  });
}

/** One client: the snapshot, then every hub event; returns what to undo when the connection closes. */
function followEvents(reply: FastifyReply, deps: EventsDeps, onCut: () => void): () => void {
  const client = openSse(reply, deps.maxPendingBytes, { onSent: () => {}, onDropped: () => {} });
  deps.clients.add(client);
  // A frame that would not fit in the queue is never dropped silently: the client is cut, and on reconnecting
  // it gets the whole state again, so it misses nothing it still could be shown.
  let over = false;
  const send = (data: unknown): void => {
    if (over || client.isClosed) return;
    const text = sseFrame(data);
    if (client.queuedBytes > 0 && client.queuedBytes + text.length > deps.maxPendingBytes) {
      over = true;
      onCut();
      reply.raw.destroy();
      return;
    }
    client.send([{ text, lines: 0 }]);
  };
  const unsubscribe = deps.hub.subscribeEvents((event) => send(eventData(event)));
  const ping = setInterval(() => client.ping(), PING_MS);
  ping.unref();
  send({ type: "hello", epoch: deps.hub.epoch });
  send({ type: "stats", jobs: statsJobs(deps.hub) });
  send({ type: "alerts", alerts: deps.hub.alerts() });
  return () => {
    unsubscribe();
    clearInterval(ping);
    deps.clients.delete(client);
  };
}
