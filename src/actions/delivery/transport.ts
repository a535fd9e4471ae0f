// The I/O edge: one HTTP request out, its answer back (fetch by default; tests may inject another).
import type { Outcome } from "./retry.js";

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  /** Header value by case-insensitive name, or null. */
  header(name: string): string | null;
  /** The body as text (at most the first 64 KiB: enough for any error or rate-limit answer). */
  body: string;
}

/** Send one request; reject on network errors or when the signal aborts (timeout, stop). */
export type Transport = (request: OutgoingRequest, signal: AbortSignal) => Promise<Reply>;

/** Reads a kind-specific answer into an outcome (Discord reads its rate-limit headers). */
export type Classifier = (reply: Reply, now: number) => Outcome;

const MAX_BODY = 64 * 1024;

export const fetchTransport: Transport = async (request, signal) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal,
    redirect: "follow",
  });
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    body: await readCapped(response, MAX_BODY),
  };
};

async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total >= max) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}

/** The usual reading: 2xx ok; 429 rate limited (Retry-After); 408, 5xx retried; any other status rejected. */
export const classifyReply: Classifier = (reply, now) => {
  const { status } = reply;
  const reason = `HTTP ${status}`;
  const waitMs = parseRetryAfter(reply.header("retry-after"), now);
  const wait = waitMs === undefined ? {} : { waitMs };
  if (status >= 200 && status < 300) return { result: "ok", reason, status };
  if (status === 429) return { result: "rate_limited", reason, status, ...wait };
  if (status === 408 || status >= 500)
    return { result: "retry", reason: withBody(reason, reply.body), status, ...wait };
  return { result: "reject", reason: withBody(reason, reply.body), status };
};

/** Retry-After as a delay in ms: seconds (decimals allowed) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A status with the start of the server's explanation, for logs and dead letters. */
function withBody(reason: string, body: string): string {
  const text = body.replace(/\s+/g, " ").trim().slice(0, 200);
  return text ? `${reason}: ${text}` : reason;
}

/** Only the origin of a URL: webhook URLs carry their secret in the path and must not reach logs. */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}
