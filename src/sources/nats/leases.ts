// The JetStream messages an analyser holds, from the moment they arrive until they are acknowledged or handed back:
// kept alive with in-progress acks, and told apart when their ack deadline may have passed.
import type { JsMsg } from "@nats-io/jetstream";
import type { Clock, Timer } from "../../core/clock.js";

export interface Lease {
  msg: JsMsg;
  /** When the server last heard of it (delivery or an in-progress ack): its ack_wait runs from here. */
  touched: number;
}

/**
 * Every message held is in here, whether still waiting to be emitted or emitted and waiting for its actions: a
 * message that sits anywhere unseen past ack_wait is redelivered elsewhere and acted on twice. Every third of
 * ack_wait each one gets an in-progress ack. If this process could not send them in time (a stalled event loop),
 * expired() says so, and the message must not be acted on: the server has redelivered it or will.
 */
export class Leases {
  private readonly held = new Set<Lease>();
  private drainWaiters: (() => void)[] = [];
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly ackWaitMs: number,
  ) {}

  get size(): number {
    return this.held.size;
  }

  take(msg: JsMsg): Lease {
    const lease = { msg, touched: this.clock.now() };
    this.held.add(lease);
    return lease;
  }

  /** Whether the server may have given up on it: more than 0.8 × ack_wait since it last heard of it. */
  expired(lease: Lease): boolean {
    return this.clock.now() - lease.touched > this.ackWaitMs * 0.8;
  }

  /** Let go of it (after an ack, a nak, or when expired); false when it was no longer held. */
  end(lease: Lease): boolean {
    if (!this.held.delete(lease)) return false;
    if (this.held.size === 0) for (const wake of this.drainWaiters.splice(0)) wake();
    return true;
  }

  /** Resolves once nothing is held, or after ms. */
  drained(ms: number): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, ms);
      this.drainWaiters.push(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  /** Send in-progress acks every third of ack_wait until stopHeartbeat(). */
  startHeartbeat(): void {
    const every = Math.max(300, Math.floor(this.ackWaitMs / 3));
    this.timer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      for (const lease of this.held) {
        if (this.expired(lease)) continue; // too late: the server may have given it to someone else
        safely(() => lease.msg.working());
        lease.touched = now;
      }
      this.startHeartbeat();
    }, every);
  }

  stopHeartbeat(): void {
    this.timer?.cancel();
  }

  /** Hand every message back to the server at once (nothing of them was acted on). */
  nakAll(leases: Iterable<Lease>): void {
    for (const lease of leases) if (this.end(lease)) safely(() => lease.msg.nak());
  }

  all(): Lease[] {
    return [...this.held];
  }
}

/** Acks and naks go out on a connection that may be closing; losing one only means a redelivery. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // redelivered after ack_wait
  }
}
