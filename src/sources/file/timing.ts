// Waiting helpers for the reading loop: bounded waits on a Clock, and a Set's first item as a queue head.
import type { Clock, Timer } from "../../core/clock.js";

/** Wait for work, but no longer than ms (the work itself carries on). */
export async function within(clock: Clock, ms: number, work: Promise<unknown>): Promise<void> {
  let timer: Timer | undefined;
  const timeout = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)));
  await Promise.race([work.then(() => {}), timeout]);
  timer?.cancel();
}

export function first<T>(items: Set<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}
