// Small HTTP helpers shared by the web routes: security headers, query parameters, error replies.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ClientPattern, PatternSandbox } from "../core/untrusted-pattern.js";

/**
 * Sent with every response. Scripts and styles only from this server (no inline code), nothing
 * framed, no referrer (a ?token= link never leaks), no MIME sniffing.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** A single-valued query parameter; repeated or missing gives undefined. */
export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : undefined;
}

/** ?source=: a source's name, null when absent or empty (every source), undefined when repeated (a bad request). */
export function sourceParam(request: FastifyRequest): string | null | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.source;
  if (value === undefined || value === "") return null;
  return typeof value === "string" ? value : undefined;
}

export function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: "bad_request", message });
}

/** The ?match= pattern: undefined when absent or empty, null after replying 400 for a bad one. */
export function parseMatch(
  request: FastifyRequest,
  reply: FastifyReply,
  sandbox: PatternSandbox,
): ClientPattern | undefined | null {
  const text = queryString(request, "match");
  if (!text) return undefined;
  try {
    return sandbox.compile(text);
  } catch (err) {
    badRequest(reply, (err as Error).message);
    return null;
  }
}

/** The reply for a filter that failed: too slow (422), too many waiting (503), or our failure (500). */
export function filterFailed(reply: FastifyReply, err: unknown): FastifyReply {
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message;
  if (code === "PATTERN_TOO_SLOW") return reply.code(422).send({ error: "pattern_too_slow", message });
  if (code === "PATTERN_BUSY") return reply.code(503).send({ error: "busy", message });
  if (code === "PATTERN_INVALID") return badRequest(reply, message);
  return reply.code(500).send({ error: "internal", message: "the filter failed" });
}
