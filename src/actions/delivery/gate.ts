// Rate-limit windows ("send nothing before T"), shareable between actions that hit the same limit.

/** A window no request may start inside. Shared gates let two actions on one webhook respect one limit. */
export class RateGate {
  private openAt = 0;

  /** Time (ms since the epoch) before which nothing may be sent. */
  get until(): number {
    return this.openAt;
  }

  /** Close the gate until the given time (never shortens an existing window). */
  closeUntil(time: number): void {
    if (Number.isFinite(time)) this.openAt = Math.max(this.openAt, time);
  }
}

const shared = new Map<string, RateGate>();

/** The process-wide gate for a key (a webhook URL, a host's global limit). */
export function sharedGate(key: string): RateGate {
  let gate = shared.get(key);
  if (!gate) shared.set(key, (gate = new RateGate()));
  return gate;
}
