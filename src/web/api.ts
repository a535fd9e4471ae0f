// The JSON endpoints: /api/sources, /api/tail, /api/stats, /api/alerts.
import type { FastifyInstance } from "fastify";
import type { PatternSandbox } from "../core/untrusted-pattern.js";
import type { HubLine, WebHub } from "./hub.js";
import { statsJobs } from "./events.js";
import { badRequest, filterFailed, parseMatch, queryString, sourceParam } from "./http.js";

const DEFAULT_TAIL_LINES = 100;
/** Most characters of line text in one /api/tail answer: the newest lines that fit are sent. */
export const MAX_TAIL_CHARS = 16 * 1024 * 1024;

export function registerApi(app: FastifyInstance, hub: WebHub, sandbox: PatternSandbox): void {
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
    return payload;
  });

  app.get("/api/sources", async () => ({ epoch: hub.epoch, history: hub.historyLines, sources: hub.sources() }));

  app.get("/api/tail", async (request, reply) => {
    // Without a source: the newest lines of every source together.
    const source = sourceParam(request);
    if (source === undefined) return badRequest(reply, "source may be given once");
    const linesParam = queryString(request, "lines");
    const lines = linesParam === undefined ? DEFAULT_TAIL_LINES : Number(linesParam);
    if (!Number.isSafeInteger(lines) || lines < 0)
      return badRequest(reply, `lines must be a whole number >= 0, got ${linesParam}`);
    const filter = parseMatch(request, reply, sandbox);
    if (filter === null) return reply;
    if (source !== null && !hub.hasSource(source))
      return reply.code(404).send({ error: "not_found", message: `no source named ${source}` });
    // lines=0 only checks the pattern (the page does before it reconnects): nothing to run it on.
    if (lines === 0) return { source, lines: [] };
    // Filter the whole history, then keep the newest `lines` of what matched.
    const held = hub.tail(source, filter ? hub.historyLines : lines);
    let matched = held;
    if (filter) {
      try {
        const spans = await filter.spans(held.map((l) => l.line));
        matched = held.filter((_, i) => spans[i] !== null);
      } catch (err) {
        return filterFailed(reply, err);
      }
    }
    return { source, ...newestWithin(matched.slice(Math.max(0, matched.length - lines)), MAX_TAIL_CHARS) };
  });

  app.get("/api/stats", async () => ({ jobs: statsJobs(hub) }));

  app.get("/api/alerts", async () => ({ alerts: hub.alerts() }));
}

/** The newest lines whose text fits in maxChars; `truncated` says older ones were left out. */
function newestWithin(lines: HubLine[], maxChars: number): { lines: HubLine[]; truncated?: true } {
  let chars = 0;
  let first = lines.length;
  while (first > 0 && chars + (lines[first - 1] as HubLine).line.length <= maxChars)
    chars += (lines[--first] as HubLine).line.length;
  return first === 0 ? { lines } : { lines: lines.slice(first), truncated: true };
}
