// A counting semaphore for in-flight publishes, with "wait until all are back" for flush.
import type { Clock } from "../../core/clock.js";
import { IdleWaiters, within } from "../../core/lifetime.js";

export class Slots {
  private used = 0;
  private closed = false;
  private readonly waiting: ((ok: boolean) => void)[] = [];
  private readonly idleWaiters = new IdleWaiters();

  constructor(private readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Take a slot, waiting while all are taken; false once closed. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.tryAcquire()) return Promise.resolve(true);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Take a slot when one is free now (no one waiting before); false otherwise, or once closed. */
  tryAcquire(): boolean {
    if (this.closed || this.used >= this.capacity || this.waiting.length > 0) return false;
    this.used++;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next && !this.closed) {
      next(true); // the slot passes straight to the next waiter
      return;
    }
    this.used--;
    if (this.used === 0 && this.waiting.length === 0) {
      this.idleWaiters.wake();
    }
  }

  /** Resolves when no slot is in use, or after deadlineMs. */
  async idle(deadlineMs: number, clock: Clock): Promise<void> {
    if (this.used === 0 && this.waiting.length === 0) return;
    await within(clock, deadlineMs, this.idleWaiters.next());
  }

  /** Refuse further acquires and wake every waiter with false. */
  close(): void {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(false);
    this.idleWaiters.wake();
  }
}
