// Helpers for the web tests: a server on 127.0.0.1:0 with its hub, an SSE reader, waiting with a deadline.
import http from "node:http";
import { afterEach } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord } from "../src/core/record.js";
import { expandLines, type ExpandedLine, type LinesEvent } from "../src/web/frames.js";
import { createWebHub, type WebHub, type WebHubOptions } from "../src/web/hub.js";
import { startWebServer, type WebServer, type WebServerConfig } from "../src/web/server.js";
import { waitFor } from "./helpers.js";

export interface TestServer {
  hub: WebHub;
  metrics: Metrics;
  server: WebServer;
  url: string;
  close(): Promise<void>;
}

/**
 * A server for API tests: without a token in `config` it runs with `auth: none` (the API tests are about the
 * API); pass `auth: "token"` for the default a user gets, a token made at start (server.openUrl carries it).
 */
export async function startTestServer(
  config: Partial<WebServerConfig> = {},
  historyLines = 1000,
  hubOptions: Partial<WebHubOptions> = {},
): Promise<TestServer> {
  const hub = createWebHub({ historyLines, clock: new FakeClock(), ...hubOptions });
  hub.addSource("app", { type: "file", path: "/var/log/app.log" });
  const metrics = new Metrics();
  const auth = config.auth ?? (config.token || config.token_file ? "token" : "none");
  const server = await startWebServer(
    { listen: "127.0.0.1:0", ...config, auth },
    { hub, metrics, logger: silentLogger, env: {} },
  );
  return { hub, metrics, server, url: server.url, close: () => server.close() };
}

export function record(line: string, source = "app", time = Date.UTC(2026, 10, 21, 4, 15, 0)): LogRecord {
  return { source, line, time, fields: {}, file: `/var/log/${source}.log` };
}

export { waitFor };

export interface SseEvent {
  id?: string;
  data: Record<string, unknown>;
}

/** A Server-Sent Events reader on node:http, so tests control headers and can stop reading. */
export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private buffer = "";
  private response: http.IncomingMessage | undefined;
  private request: http.ClientRequest | undefined;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    await new Promise<void>((resolve, reject) => {
      reader.request = http.get(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
        reader.response = res;
        reader.status = res.statusCode ?? 0;
        reader.headers = res.headers;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => reader.feed(chunk));
        res.on("end", () => (reader.ended = true));
        res.on("error", () => (reader.ended = true));
        resolve();
      });
      reader.request.on("error", reject);
    });
    return reader;
  }

  /** Every line of the `lines` events, with file and host carried over as the wire format says. */
  lines(): ExpandedLine[] {
    return this.ofType("lines").flatMap((e) => expandLines(e.data as unknown as LinesEvent));
  }

  ofType(type: string): SseEvent[] {
    return this.events.filter((e) => e.data.type === type);
  }

  pause(): void {
    this.response?.pause();
  }

  resume(): void {
    this.response?.resume();
  }

  close(): void {
    this.request?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | undefined;
      let data: string | undefined;
      for (const field of block.split("\n")) {
        if (field.startsWith("id: ")) id = field.slice(4);
        else if (field.startsWith("data: ")) data = field.slice(6);
      }
      if (data !== undefined)
        this.events.push({ ...(id !== undefined ? { id } : {}), data: JSON.parse(data) as Record<string, unknown> });
    }
  }
}

/** Servers and SSE readers a test file opens through these, closed after each of its tests. */
export function closedAfterEach(): {
  serve: (...args: Parameters<typeof startTestServer>) => Promise<TestServer>;
  stream: (url: string, headers?: Record<string, string>) => Promise<SseReader>;
} {
  let servers: TestServer[] = [];
  let readers: SseReader[] = [];
  afterEach(async () => {
    for (const r of readers) r.close();
    // A test may have closed its server itself: closing again must not fail the next test.
    for (const s of servers) await s.close().catch(() => {});
    servers = [];
    readers = [];
  });
  return {
    async serve(...args) {
      const s = await startTestServer(...args);
      servers.push(s);
      return s;
    },
    async stream(url, headers = {}) {
      const r = await SseReader.open(url, headers);
      readers.push(r);
      return r;
    },
  };
}

/**
 * Sixty 10 s reports of a demo traffic job from `start`: about 4 requests/s with a burst over the threshold (10)
 * from the 39th report to the 49th, for the chart in browser tests and screenshots.
 */
export function pushDemoTraffic(
  hub: WebHub,
  start: number,
  sections: { name: string; hits: number }[],
  extra: { firing?: boolean } = {},
): void {
  for (let i = 0; i < 60; i++) {
    const rate = 4 + 3 * Math.sin(i / 6) + (i > 38 && i < 50 ? 9 : 0);
    const from = start + i * 10_000;
    hub.pushStats("web-traffic", {
      from,
      to: from + 10_000,
      hits: Math.round(rate * 10),
      rate,
      sections,
      threshold: 10,
      ...extra,
    });
  }
}
