// The web server (fastify): the UI, the JSON API, the live stream, /metrics and /healthz.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { LogwardError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { METRICS_CONTENT_TYPE, type Metrics } from "../core/metrics.js";
import { PatternSandbox } from "../core/untrusted-pattern.js";
import type { WebHub } from "./hub.js";
import type { WebConfig } from "./schema.js";
import { accessHook } from "./auth.js";
import { loadAssets, type Asset } from "./assets.js";
import { registerApi } from "./api.js";
import { registerReportRoute } from "./report-route.js";
import { registerSearchRoute } from "./search-route.js";
import { registerStream } from "./stream.js";
import { registerEvents } from "./events.js";
import { SECURITY_HEADERS } from "./http.js";
import { parseListen, urlFor } from "./listen.js";
import { resolveToken, type TokenOrigin } from "./token.js";
import type { SseClient } from "./sse.js";

/** What the server needs of the config: a full WebConfig fits; the rest have defaults. */
export type WebServerConfig = Pick<WebConfig, "listen"> & Partial<Omit<WebConfig, "listen">>;

export interface WebServerDeps {
  hub: WebHub;
  metrics: Metrics;
  logger: Logger;
  /** A source's validated config, for /api/search (its paths, parser, multiline). */
  sourceConfig?: (name: string) => unknown;
  /** Where LOGWARD_WEB_TOKEN is read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface WebServer {
  /** http://host:port/ as a browser on this machine reaches it. */
  url: string;
  /** The address to show the user: with ?token= when the token was made at start (nobody else knows it). */
  openUrl: string;
  /** The token in force (undefined with `auth: none`) and where it came from. */
  token: string | undefined;
  tokenOrigin: TokenOrigin;
  /** Ends every live stream and stops listening. */
  close(): Promise<void>;
}

/** 4 MiB: at 50k lines/s (about 7 MB/s on the wire) a browser may stall for half a second without losing a line. */
const DEFAULT_CLIENT_BUFFER = 4 * 1024 * 1024;
const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this: a page's requests come in bursts. */
const KEEP_ALIVE_MS = 5_000;

export async function startWebServer(config: WebServerConfig, deps: WebServerDeps): Promise<WebServer> {
  const { token, origin } = resolveToken(config, deps.env);
  const address = parseListen(config.listen);
  const assets = await loadAssets();
  const clients = new Set<SseClient>();
  const sandbox = new PatternSandbox({ budgetMs: config.pattern_budget ?? 500 });
  const app = createApp(config);
  const limits = {
    max: config.max_connections ?? DEFAULT_MAX_CONNECTIONS,
    silentMs: config.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  watchConnections(app, deps, limits);
  app.addHook("onRequest", accessHook(token));
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  registerAssets(app, assets);
  registerApi(app, deps.hub, sandbox);
  registerReportRoute(app, deps);
  registerSearchRoute(app, { ...deps, sandbox });
  const maxPendingBytes = config.client_buffer ?? DEFAULT_CLIENT_BUFFER;
  registerStream(app, { ...deps, sandbox, maxPendingBytes, clients });
  registerEvents(app, { ...deps, maxPendingBytes, clients });
  app.get("/metrics", async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await deps.metrics.text()));
  app.get("/healthz", async () => ({ status: "ok" }));

  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (err) {
    await sandbox.close();
    throw new LogwardError("WEB_FAILED", `cannot listen on ${config.listen}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const port = (app.server.address() as { port: number }).port;
  const url = urlFor(address.host, port);
  const openUrl = origin === "generated" && token ? `${url}?token=${encodeURIComponent(token)}` : url;
  deps.logger.debug({ url, auth: origin }, "web server listening");
  return {
    url,
    openUrl,
    token,
    tokenOrigin: origin,
    async close() {
      for (const client of clients) client.end();
      await sandbox.close();
      await app.close();
    },
  };
}

function createApp(config: WebServerConfig): FastifyInstance {
  const requestTimeout = config.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return Fastify({
    logger: false,
    forceCloseConnections: true,
    // A client must send its whole request in time (slowloris); an idle keep-alive connection is closed.
    requestTimeout,
    keepAliveTimeout: KEEP_ALIVE_MS,
    http: { headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
  });
}

/**
 * Cap open connections (live streams count), count what is refused, cut off connections that never send a request,
 * and survive running out of descriptors.
 */
function watchConnections(app: FastifyInstance, deps: WebServerDeps, limits: { max: number; silentMs: number }): void {
  const refused = deps.metrics.counter(
    "web_connections_refused_total",
    "Connections closed at once because max_connections were open or no file descriptor was left",
  );
  const cutOff = deps.metrics.counter(
    "web_connections_timed_out_total",
    "Connections closed because they sent no request within request_timeout",
  );
  const server = app.server;
  server.maxConnections = limits.max;
  server.on("drop", () => refused.inc());
  // Node's headersTimeout only watches a request once its first byte came: a silent connection would hold its
  // descriptor for ever. The first request of a connection clears its timer; later idle time is keep-alive's.
  const silent = new WeakMap<Socket, NodeJS.Timeout>();
  server.on("connection", (socket: Socket) => {
    const timer = setTimeout(() => {
      cutOff.inc();
      socket.destroy();
    }, limits.silentMs);
    timer.unref();
    silent.set(socket, timer);
    socket.once("close", () => clearTimeout(timer));
  });
  server.on("request", (request: IncomingMessage) => clearTimeout(silent.get(request.socket)));
  let warned = false;
  // accept() failing (EMFILE: no descriptor left) must not take the daemon down; libuv retries by itself.
  server.on("error", (err: NodeJS.ErrnoException) => {
    refused.inc();
    if (warned) return;
    warned = true;
    deps.logger.warn({ err: err.message, code: err.code }, "web server cannot accept a connection");
  });
}

function registerAssets(app: FastifyInstance, assets: Map<string, Asset>): void {
  for (const [path, asset] of assets) {
    app.get(path, async (request, reply) => {
      reply.header("cache-control", "no-cache").header("etag", asset.etag);
      if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      return reply.type(asset.contentType).send(asset.body);
    });
  }
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
}
