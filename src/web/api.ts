// The JSON endpoints: /api/sources, /api/tail, /api/stats, /api/alerts.
import type { FastifyInstance } from "fastify";
import type { WebHub } from "./hub.js";
import { badRequest, parseMatch, queryString } from "./http.js";

const DEFAULT_TAIL_LINES = 100;

export function registerApi(app: FastifyInstance, hub: WebHub): void {
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
    return payload;
  });

  app.get("/api/sources", async () => ({ epoch: hub.epoch, history: hub.historyLines, sources: hub.sources() }));

  app.get("/api/tail", async (request, reply) => {
    const source = queryString(request, "source");
    if (!source) return badRequest(reply, "source is required: /api/tail?source=NAME&lines=N");
    const linesParam = queryString(request, "lines");
    const lines = linesParam === undefined ? DEFAULT_TAIL_LINES : Number(linesParam);
    if (!Number.isSafeInteger(lines) || lines < 0)
      return badRequest(reply, `lines must be a whole number >= 0, got ${linesParam}`);
    const pattern = parseMatch(request, reply);
    if (pattern === null) return reply;
    if (!hub.hasSource(source))
      return reply.code(404).send({ error: "not_found", message: `no source named ${source}` });
    // Filter the whole history, then keep the newest `lines` of what matched.
    const held = hub.tail(source, pattern ? hub.historyLines : lines);
    const matched = pattern ? held.filter((l) => pattern.test(l.line)) : held;
    return { source, lines: matched.slice(Math.max(0, matched.length - lines)) };
  });

  app.get("/api/stats", async () => ({
    jobs: Object.entries(hub.stats()).map(([job, entries]) => {
      const latest = entries[entries.length - 1];
      return {
        job,
        points: entries.map((e) => ({
          t: e.summary.time ?? e.received,
          rate: e.summary.rate ?? null,
          hits: e.summary.hits ?? null,
        })),
        sections: latest?.summary.sections ?? [],
        threshold: latest?.summary.threshold ?? null,
        firing: latest?.summary.firing ?? false,
        latest: latest?.report ?? null,
      };
    }),
  }));

  app.get("/api/alerts", async () => ({ alerts: hub.alerts() }));
}
