// A counting semaphore for in-flight publishes, with "wait until all are back" for flush.
import type { Clock } from "../../core/clock.js";

export class Slots {
  private used = 0;
  private closed = false;
  private readonly waiting: ((ok: boolean) => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Take a slot, waiting while all are taken; false once closed. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.used < this.capacity && this.waiting.length === 0) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next && !this.closed) {
      next(true); // the slot passes straight to the next waiter
      return;
    }
    this.used--;
    if (this.used === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when no slot is in use, or after deadlineMs. */
  idle(deadlineMs: number, clock: Clock): Promise<void> {
    if (this.used === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = clock.setTimeout(resolve, deadlineMs);
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  /** Refuse further acquires and wake every waiter with false. */
  close(): void {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(false);
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
