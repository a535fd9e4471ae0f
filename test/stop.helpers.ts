// Helpers of the clean-stop tests: a seeded random source, a webhook that rate-limits like Discord, line counts.
import type { Answer, Received } from "../src/actions/delivery/testing/server.js";

/** mulberry32: a small seeded generator, so a failing interleaving can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A webhook with Discord's bucket headers: `limit` requests per `resetMs`; beyond it a 429 with retry_after. */
export function discordBucket(
  limit: number,
  resetMs: number,
  latency: () => number = () => 0,
): (req: Received, i: number) => Answer {
  let remaining = limit;
  let resetAt = 0;
  return (_req, i) => {
    const now = Date.now();
    if (now >= resetAt) [remaining, resetAt] = [limit, now + resetMs];
    const resetAfter = Math.ceil(resetAt - now) / 1000;
    const headers = {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-reset-after": String(resetAfter),
      "x-ratelimit-bucket": "b1",
    };
    if (remaining === 0) {
      return {
        status: 429,
        headers: { ...headers, "x-ratelimit-remaining": "0", "x-ratelimit-scope": "user" },
        body: { message: "You are being rate limited.", retry_after: resetAfter, global: false },
        delayMs: latency(),
      };
    }
    remaining--;
    const ok = { ...headers, "x-ratelimit-remaining": String(remaining) };
    return { status: 200, headers: ok, body: { id: String(i) }, delayMs: latency() };
  };
}

/** How many times each line occurs. */
export function countLines(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}
