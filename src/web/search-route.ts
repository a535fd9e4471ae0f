// GET /api/search: a configured file source's history on disk (its archives too), bounded in lines, bytes and time.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "../core/logger.js";
import { literalsOf } from "../core/literals.js";
import { parsePattern } from "../core/pattern.js";
import type { ClientPattern, PatternSandbox } from "../core/untrusted-pattern.js";
import { isoTime, type WireLine } from "../core/wire.js";
import { searchFiles, type BatchMatcher, type FileOutcome, type SearchSummary } from "../search/scan.js";
import { parseTimeBound, searchTargets } from "../search/setup.js";
import { sourceSearchSetup, type SourceSearchSetup } from "../search/source-config.js";
import type { WebHub } from "./hub.js";
import { badRequest, filterFailed, parseMatch, queryString } from "./http.js";

export interface SearchRouteDeps {
  hub: WebHub;
  logger: Logger;
  sandbox: PatternSandbox;
  /** The source's validated config (path, parser, multiline); without it the hub's path is searched, untimed. */
  sourceConfig?: (name: string) => unknown;
}

/** The bounds of one search request; a user's search box, not a batch export. */
export interface SearchLimits {
  /** Most lines one answer holds (`limit` may ask for fewer). */
  maxLines: number;
  /** Most characters of line text in one answer; each line is cut to maxLineChars first. */
  maxChars: number;
  maxLineChars: number;
  /** Most (decompressed) bytes one request reads. */
  maxScanBytes: number;
  /** How long one request may search. */
  deadlineMs: number;
  /** Searches running at once, in all; one client (address) runs one at a time. */
  concurrent: number;
}

export const SEARCH_LIMITS: SearchLimits = {
  maxLines: 1000,
  maxChars: 4 * 1024 * 1024,
  maxLineChars: 64 * 1024,
  maxScanBytes: 512 * 1024 * 1024,
  deadlineMs: 5000,
  concurrent: 2,
};
const DEFAULT_LINES = 200;

interface SearchAnswer {
  source: string;
  lines: WireLine[];
  matches: number;
  scanned: number;
  files: FileOutcome[];
  stopped?: SearchSummary["stopped"] | "size";
}

export function registerSearchRoute(app: FastifyInstance, deps: SearchRouteDeps, limits = SEARCH_LIMITS): void {
  const running = new Set<string>();
  app.get("/api/search", async (request, reply) => {
    const source = queryString(request, "source");
    if (!source || !queryString(request, "match"))
      return badRequest(reply, "source and match are required: /api/search?source=NAME&match=PATTERN");
    const limit = lineLimit(queryString(request, "limit"), limits);
    if (limit === undefined) return badRequest(reply, `limit must be a whole number from 1 to ${limits.maxLines}`);
    const pattern = parseMatch(request, reply, deps.sandbox);
    if (!pattern) return reply;
    if (!deps.hub.hasSource(source))
      return reply.code(404).send({ error: "not_found", message: `no source named ${source}` });
    const client = request.ip;
    if (running.has(client) || running.size >= limits.concurrent)
      return reply.code(429).send({ error: "busy", message: "a search is already running; try again when it ends" });
    running.add(client);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), limits.deadlineMs);
    // The connection closed before the answer (the client went away): stop reading for it.
    reply.raw.once("close", () => deadline.abort());
    try {
      const setup = await setupOf(source, deps);
      const bounds = timeBounds(request.query as Record<string, unknown>, setup);
      if (typeof bounds === "string") return badRequest(reply, bounds);
      return await runSearch(source, setup, bounds, pattern, { limit, signal: deadline.signal, limits });
    } catch (err) {
      return failed(reply, err, deps.logger);
    } finally {
      clearTimeout(timer);
      running.delete(client);
    }
  });
}

function lineLimit(text: string | undefined, limits: SearchLimits): number | undefined {
  if (text === undefined) return Math.min(DEFAULT_LINES, limits.maxLines);
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= limits.maxLines ? n : undefined;
}

async function setupOf(source: string, deps: SearchRouteDeps): Promise<SourceSearchSetup> {
  const config = deps.sourceConfig?.(source);
  if (config !== undefined) return sourceSearchSetup(source, config, deps.logger);
  const info = deps.hub.sources().find((s) => s.name === source);
  const paths = info?.type === "file" && info.path ? info.path.split(", ") : [];
  return sourceSearchSetup(source, { type: info?.type ?? "unknown", path: paths }, deps.logger);
}

function timeBounds(query: Record<string, unknown>, setup: SourceSearchSetup) {
  const text = (name: string): string | undefined => (typeof query[name] === "string" ? query[name] : undefined);
  const since = text("since");
  const until = text("until");
  if (since === undefined && until === undefined) return {};
  if (!setup.parser) return "since/until need the lines' time: this source has no parser";
  const now = Date.now();
  return {
    ...(since !== undefined ? { since: parseTimeBound("since", since, now) } : {}),
    ...(until !== undefined ? { until: parseTimeBound("until", until, now) } : {}),
  };
}

async function runSearch(
  source: string,
  setup: SourceSearchSetup,
  bounds: { since?: number; until?: number },
  pattern: ClientPattern,
  run: { limit: number; signal: AbortSignal; limits: SearchLimits },
): Promise<SearchAnswer> {
  const files = await searchTargets(setup.paths, setup.followLinks);
  const lines: WireLine[] = [];
  let chars = 0;
  const full = new AbortController();
  const signal = AbortSignal.any([run.signal, full.signal]);
  const options = {
    matcher: untrustedMatcher(pattern),
    maxLineBytes: Math.min(setup.maxLineBytes, run.limits.maxLineChars),
    source,
    limit: run.limit,
    maxBytes: run.limits.maxScanBytes,
    signal,
    ...bounds,
    ...(setup.parser ? { parser: setup.parser } : {}),
    ...(setup.multiline ? { multiline: setup.multiline } : {}),
  };
  const summary = await searchFiles(files, options, (hit) => {
    chars += hit.line.length;
    if (chars > run.limits.maxChars) return full.abort();
    const time = hit.time === undefined ? null : isoTime(hit.time);
    lines.push({
      time,
      source,
      file: hit.file,
      offset: hit.offset,
      line: hit.line,
      rule: "search",
      fields: hit.fields,
    });
  });
  const stopped = full.signal.aborted ? "size" : summary.stopped;
  return {
    source,
    lines,
    matches: lines.length,
    scanned: summary.bytes,
    files: summary.files,
    ...(stopped ? { stopped } : {}),
  };
}

/** A client's pattern: its literals prefilter the bytes; the pattern runs in the sandbox's worker, under its budget. */
function untrustedMatcher(pattern: ClientPattern): BatchMatcher {
  let literals;
  try {
    const prefilter = parsePattern(pattern.source).prefilter;
    literals = prefilter ? literalsOf(prefilter) : undefined;
  } catch {
    literals = undefined;
  }
  return {
    literals,
    test: async (lines) => (pattern.now ? pattern.now(lines) : await pattern.spans(lines)).map((s) => s !== null),
  };
}

function failed(reply: FastifyReply, err: unknown, logger: Logger): FastifyReply {
  const code = (err as { code?: unknown }).code;
  if (code === "USAGE") return badRequest(reply, (err as Error).message);
  if (code === "PATTERN_TOO_SLOW" || code === "PATTERN_BUSY" || code === "PATTERN_INVALID")
    return filterFailed(reply, err);
  logger.warn({ err: (err as Error).message }, "search failed");
  return reply.code(500).send({ error: "internal", message: "the search failed" });
}
