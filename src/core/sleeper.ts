// Waits on a Clock that can be cut short: retry loops sleep here and stop() or a reconnect wakes them.
import type { Clock } from "./clock.js";

export class Sleeper {
  private readonly waiting = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** Resolve after ms, or earlier when wakeAll() is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        timer.cancel();
        this.waiting.delete(done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }
}
