// Timing helpers for the reading loop: repeating timers, a Set's first item as a queue head.
import type { Clock, Timer } from "../../core/clock.js";

/** Repeating timers, one per purpose per source (never one per file), all cancelled at stop. */
export class Repeaters {
  private readonly timers = new Set<Timer>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  /** Call fn every ms until cancelAll(). */
  every(ms: number, fn: () => void): void {
    const arm = (): void => {
      const timer = this.clock.setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopped) return;
        fn();
        arm();
      }, ms);
      this.timers.add(timer);
    };
    arm();
  }

  cancelAll(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }
}

export function first<T>(items: Set<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}
