// The I/O edge: one HTTP request out, its answer back (fetch by default; tests may inject another).
import { redactUrl } from "./redact.js";
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
  /** Why a redirect was not followed (another origin, too many hops): the request is rejected with it. */
  refusedRedirect?: string;
}

/** Send one request; reject on network errors or when the signal aborts (timeout, stop). */
export type Transport = (request: OutgoingRequest, signal: AbortSignal) => Promise<Reply>;

/** Reads a kind-specific answer into an outcome (Discord reads its rate-limit headers). */
export type Classifier = (reply: Reply, now: number) => Outcome;

const MAX_BODY = 64 * 1024;
/** Same-origin 307/308 redirects followed for one request; a redirect anywhere else is never followed. */
export const MAX_REDIRECTS = 3;

/**
 * fetch with redirects in logward's hands: a 307/308 to the same origin is followed (method, body and headers
 * kept, at most MAX_REDIRECTS times); a redirect to another origin, or one that would turn the POST into a GET
 * (301, 302, 303), is not, so log lines and headers such as X-Api-Key never reach a host nobody configured.
 * Credentials in the URL (user:pass@, which fetch refuses) become a Basic Authorization header.
 */
export const fetchTransport: Transport = async (request, signal) => {
  let url = new URL(request.url);
  const headers = withUrlCredentials(url, request.headers);
  for (let hops = 0; ; hops++) {
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      signal,
      redirect: "manual",
    });
    const reply: Reply = {
      status: response.status,
      header: (name) => response.headers.get(name),
      body: await readCapped(response, MAX_BODY),
    };
    if (response.status < 300 || response.status > 399) return reply;
    const next = redirectTarget(url, response.headers.get("location"));
    const refused = refuseRedirect(url, next, response.status, hops);
    if (refused !== undefined) return { ...reply, refusedRedirect: refused };
    url = next as URL;
  }
};

function redirectTarget(from: URL, location: string | null): URL | undefined {
  try {
    return location === null ? undefined : new URL(location, from);
  } catch {
    return undefined;
  }
}

/** Why this redirect is not followed, or undefined when it may be. */
function refuseRedirect(from: URL, to: URL | undefined, status: number, hops: number): string | undefined {
  const where = to ? redactUrl(to.href) : "nowhere (no valid Location)";
  const why =
    to === undefined
      ? "no valid Location"
      : to.origin !== from.origin
        ? "another origin"
        : status !== 307 && status !== 308
          ? "it would turn the request into a GET"
          : hops >= MAX_REDIRECTS
            ? `more than ${MAX_REDIRECTS} redirects`
            : undefined;
  return why === undefined ? undefined : `HTTP ${status} redirect to ${where} not followed (${why})`;
}

/** Move user:pass@ out of the URL into a Basic Authorization header (unless one is configured). */
function withUrlCredentials(url: URL, headers: Record<string, string>): Record<string, string> {
  if (!url.username && !url.password) return headers;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  if (Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) return headers;
  return { ...headers, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` };
}

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
  if (reply.refusedRedirect !== undefined) return { result: "reject", reason: reply.refusedRedirect, status };
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

export { redactUrl } from "./redact.js";
