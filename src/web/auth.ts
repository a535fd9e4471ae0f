// Access control: a Bearer token, a cookie set from a one-time ?token= link, and a Host check without token.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isLoopback } from "./listen.js";

export const SESSION_COOKIE = "logward_session";

/** Paths anyone may fetch (liveness probes carry no token). */
const OPEN_PATHS = new Set(["/healthz"]);

export type AccessHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * The onRequest hook guarding every route. With a token: a valid `?token=` sets the session cookie and
 * redirects to the same URL without it (so it leaves the address bar and history); otherwise a Bearer
 * header or the cookie is required. Without a token (loopback only): the Host header must be a
 * loopback name, so a web page cannot read the logs through DNS rebinding.
 */
export function accessHook(token: string | undefined): AccessHook {
  const session = token ? sessionValue(token) : undefined;
  return async (request, reply) => {
    const query = request.url.indexOf("?");
    const path = query < 0 ? request.url : request.url.slice(0, query);
    const params = new URLSearchParams(query < 0 ? "" : request.url.slice(query + 1));
    if (OPEN_PATHS.has(path)) return undefined;
    if (!token || !session) {
      if (hostIsLoopback(request.headers.host)) return undefined;
      return reply
        .code(403)
        .send({ error: "forbidden", message: "Host is not a loopback name; set a token to serve other hosts" });
    }
    const linkToken = params.get("token");
    if (linkToken !== null) {
      if (!sameSecret(linkToken, token)) return unauthorized(reply);
      params.delete("token");
      const rest = params.toString();
      // One leading slash only: "//host" or "/\host" would send the browser to another site.
      const location = "/" + path.replace(/^[/\\]+/, "") + (rest ? `?${rest}` : "");
      return reply
        .header("set-cookie", `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict`)
        .redirect(location, 303);
    }
    const presented = bearerOf(request.headers.authorization);
    if (presented !== undefined && sameSecret(presented, token)) return undefined;
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && sameSecret(cookie, session)) return undefined;
    return unauthorized(reply);
  };
}

/** The cookie value: derived from the token, so the cookie never carries the token itself. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("logward-web-session-v1").digest("base64url");
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header("www-authenticate", 'Bearer realm="logward"').send({
    error: "unauthorized",
    message: "Send Authorization: Bearer TOKEN, or open the link with ?token=TOKEN once",
  });
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function bearerOf(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function hostIsLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim());
  return m?.[1] !== undefined && isLoopback(m[1]);
}
