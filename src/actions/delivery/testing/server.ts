// A real HTTP server on 127.0.0.1:0 for delivery tests: records every request with server-side times, answers as
// scripted.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  /** Date.now() when the request arrived. */
  at: number;
  /** Date.now() when the answer was sent (undefined while hanging). */
  answeredAt?: number;
  status?: number;
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | object;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** "hang" never answers: the client's timeout must end the request. */
export type Responder = (request: Received, index: number) => Answer | "hang" | Promise<Answer | "hang">;

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startServer(respond: Responder): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: Received = {
      at,
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    received.push(request);
    const answer = await respond(request, received.length - 1);
    if (answer === "hang") return;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const body = typeof answer.body === "object" ? JSON.stringify(answer.body) : (answer.body ?? "");
    const headers = {
      ...(typeof answer.body === "object" ? { "content-type": "application/json" } : {}),
      ...answer.headers,
    };
    request.status = answer.status;
    request.answeredAt = Date.now();
    res.writeHead(answer.status, headers).end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The same lines, n of them, each about width characters: a typical log backlog. */
export function logLines(n: number, width = 100): string[] {
  return Array.from({ length: n }, (_, i) => {
    const head = `2026-11-21T04:15:00.${String(i % 1000).padStart(3, "0")}Z app[${1000 + i}] INFO request #${i} `;
    return (head + "x".repeat(width)).slice(0, width);
  });
}
