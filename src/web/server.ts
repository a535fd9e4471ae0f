// The web server (fastify): the UI, the JSON API, the live stream, /metrics and /healthz.
import Fastify, { type FastifyInstance } from "fastify";
import { LogwardError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { METRICS_CONTENT_TYPE, type Metrics } from "../core/metrics.js";
import type { WebHub } from "./hub.js";
import type { WebConfig } from "./schema.js";
import { accessHook } from "./auth.js";
import { loadAssets, type Asset } from "./assets.js";
import { registerApi } from "./api.js";
import { registerStream } from "./stream.js";
import { SECURITY_HEADERS } from "./http.js";
import { checkListenSafety, urlFor } from "./listen.js";
import type { SseClient } from "./sse.js";

/** What the server needs of the config: a full WebConfig fits; the rest have defaults. */
export type WebServerConfig = Pick<WebConfig, "listen"> & Partial<Omit<WebConfig, "listen">>;

export interface WebServerDeps {
  hub: WebHub;
  metrics: Metrics;
  logger: Logger;
}

export interface WebServer {
  /** http://host:port/ as a browser on this machine reaches it. */
  url: string;
  /** Ends every live stream and stops listening. */
  close(): Promise<void>;
}

/** 4 MiB: at 50k lines/s (about 7 MB/s on the wire) a browser may stall for half a second without losing a line. */
const DEFAULT_CLIENT_BUFFER = 4 * 1024 * 1024;

export async function startWebServer(config: WebServerConfig, deps: WebServerDeps): Promise<WebServer> {
  const token = config.token || undefined; // an unset ${VAR} gives "": no token
  const address = checkListenSafety(config.listen, token);
  const assets = await loadAssets();
  const clients = new Set<SseClient>();
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addHook("onRequest", accessHook(token));
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  registerAssets(app, assets);
  registerApi(app, deps.hub);
  registerStream(app, { ...deps, maxPendingBytes: config.client_buffer ?? DEFAULT_CLIENT_BUFFER, clients });
  app.get("/metrics", async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await deps.metrics.text()));
  app.get("/healthz", async () => ({ status: "ok" }));

  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (err) {
    throw new LogwardError("WEB_FAILED", `cannot listen on ${config.listen}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const port = (app.server.address() as { port: number }).port;
  const url = urlFor(address.host, port);
  deps.logger.debug({ url, auth: token ? "token" : "none" }, "web server listening");
  return {
    url,
    async close() {
      for (const client of clients) client.end();
      await app.close();
    },
  };
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
