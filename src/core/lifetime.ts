// Process-lifetime helpers: hold the process open on purpose, and wait for work at most so long.
import type { Clock, Timer } from "./clock.js";

/**
 * Keep the process alive until the returned function is called. Sources and timers are unref'd on purpose (a
 * finished --once run must exit); a daemon, a following `stats` or an action with pending retries holds it here.
 */
export function keepAlive(): () => void {
  const handle = setInterval(() => {}, 1 << 30);
  let held = true;
  return () => {
    if (held) clearInterval(handle);
    held = false;
  };
}

/** Wait for work, but no longer than ms (the work carries on); true when it finished in time, rejects as it does. */
export async function within(clock: Clock, ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: Timer | undefined;
  const timeout = new Promise<false>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([work.then(() => true), timeout]);
  timer?.cancel();
  return done;
}

/**
 * Callers waiting for "nothing pending": an action's flush waits here, bounded by within(), and whoever
 * finishes the last piece of work calls wake().
 */
export class IdleWaiters {
  private waiters: (() => void)[] = [];

  /** Resolves at the next wake(). */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
