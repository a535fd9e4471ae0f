// Retry decisions (pure): what to do after each attempt, and how long to back off.

/** How one attempt at a request ended, as the kind's classifier reads the answer. */
export interface Outcome {
  result: "ok" | "retry" | "rate_limited" | "reject";
  /** The server's window: send nothing before now + waitMs (Retry-After, Discord's reset-after). */
  waitMs?: number;
  /** The window covers every action talking to this host (Discord's global limit), not only this one. */
  global?: boolean;
  /** For logs and dead letters: "HTTP 503", "timed out after 10s". */
  reason: string;
  status?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  maxRateLimited: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Longest time from a request's first attempt to its last: past it the request is given up (default: none). */
  giveUpAfterMs?: number;
}

/** Failures of one request so far: retries and 429s are counted apart. */
export interface RetryState {
  retries: number;
  rateLimited: number;
}

export type Decision =
  | { action: "done" }
  | { action: "dead"; reason: string }
  /** Try again once delayMs has passed (and any server window is over). */
  | { action: "again"; delayMs: number; counted: "retry" | "rate_limited" };

/**
 * After an attempt: done on success; dead-letter on a rejection (4xx other than 429: resending cannot
 * help) or when a budget is spent; otherwise again after a jittered exponential backoff. A 429 waits
 * for the server's window instead and uses its own budget, so a busy endpoint does not burn retries.
 */
export function decide(
  outcome: Outcome,
  state: RetryState,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Decision {
  switch (outcome.result) {
    case "ok":
      return { action: "done" };
    case "reject":
      return { action: "dead", reason: `${outcome.reason} (not retried)` };
    case "rate_limited":
      state.rateLimited++;
      if (state.rateLimited > policy.maxRateLimited)
        return { action: "dead", reason: `${outcome.reason}: still rate limited after ${policy.maxRateLimited} waits` };
      return {
        action: "again",
        delayMs: outcome.waitMs ?? backoffDelay(state.rateLimited, policy, random),
        counted: "rate_limited",
      };
    case "retry":
      state.retries++;
      if (state.retries > policy.maxRetries)
        return { action: "dead", reason: `${outcome.reason}: gave up after ${policy.maxRetries} retries` };
      return {
        action: "again",
        delayMs: Math.max(outcome.waitMs ?? 0, backoffDelay(state.retries, policy, random)),
        counted: "retry",
      };
  }
}

/**
 * Delay before the attempt-th retry (1-based): initial·2^(attempt-1), capped, with "equal jitter" — half
 * fixed, half random — so many senders that failed together do not come back together.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "backoffInitialMs" | "backoffMaxMs">,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
