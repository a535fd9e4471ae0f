// Discord's answers: per-bucket X-RateLimit headers, 429 bodies with retry_after (seconds) and global limits.
import { classifyReply, parseRetryAfter, type Classifier, type Reply } from "../delivery/transport.js";

/**
 * Like the generic reading, plus: an exhausted bucket (X-RateLimit-Remaining: 0) holds the next request
 * until X-RateLimit-Reset-After; a 429 waits retry_after from the body (else Retry-After, else the
 * bucket's reset) and is global when the body, X-RateLimit-Global or X-RateLimit-Scope says so.
 */
export const classifyDiscord: Classifier = (reply, now) => {
  const outcome = classifyReply(reply, now);
  const resetAfter = seconds(reply.header("x-ratelimit-reset-after"));
  const exhausted = reply.header("x-ratelimit-remaining")?.trim() === "0" && resetAfter !== undefined;
  if (reply.status !== 429) {
    if (exhausted) outcome.waitMs = Math.max(outcome.waitMs ?? 0, resetAfter);
    return outcome;
  }
  const body = parseBody(reply);
  const retryAfter =
    typeof body.retry_after === "number" && Number.isFinite(body.retry_after)
      ? Math.ceil(Math.max(0, body.retry_after) * 1000)
      : undefined;
  let waitMs = retryAfter ?? parseRetryAfter(reply.header("retry-after"), now) ?? resetAfter;
  if (waitMs !== undefined && exhausted) waitMs = Math.max(waitMs, resetAfter);
  const global =
    body.global === true ||
    reply.header("x-ratelimit-global")?.trim().toLowerCase() === "true" ||
    reply.header("x-ratelimit-scope")?.trim() === "global";
  const scope = reply.header("x-ratelimit-scope")?.trim();
  return {
    result: "rate_limited",
    status: 429,
    reason: `HTTP 429${global ? " (global)" : scope ? ` (${scope})` : ""}`,
    global,
    ...(waitMs === undefined ? {} : { waitMs }),
  };
};

/** A header in seconds (decimals allowed) as milliseconds. */
function seconds(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : undefined;
}

function parseBody(reply: Reply): { retry_after?: unknown; global?: unknown } {
  try {
    const parsed: unknown = JSON.parse(reply.body);
    return parsed && typeof parsed === "object" ? (parsed as { retry_after?: unknown; global?: unknown }) : {};
  } catch {
    return {}; // Cloudflare answers 429 with HTML: the headers still say how long
  }
}
