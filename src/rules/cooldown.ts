// Cooldown: after a rule fires, would-be firings within the cooldown are swallowed and counted.
import { systemClock, type Clock } from "../core/clock.js";

export class Cooldown {
  /** Record time and wall time of the last firing (NaN before the first): two numbers, no object per firing. */
  private lastTime = NaN;
  private lastAt = NaN;
  private swallowed = 0;

  constructor(
    private readonly ms: number,
    private readonly clock: Clock,
  ) {}

  /**
   * A would-be firing at record time `time` carrying `matches` matches: returns how many matches were
   * swallowed since the last firing when it may fire, or undefined when it is suppressed.
   */
  admit(time: number, matches: number): number | undefined {
    // Without a cooldown nothing is swallowed, and the last firing's times are never read.
    if (this.ms <= 0) return 0;
    if (!Number.isNaN(this.lastTime) && this.elapsed(time) < this.ms) {
      this.swallowed += matches;
      return undefined;
    }
    const suppressed = this.swallowed;
    this.swallowed = 0;
    this.lastTime = time;
    this.lastAt = this.clock.now();
    return suppressed;
  }

  /** Time since the last firing on the log's clock; when the log's time went backwards, on the wall clock. */
  private elapsed(time: number): number {
    return time >= this.lastTime ? time - this.lastTime : this.clock.now() - this.lastAt;
  }
}

/**
 * The cooldown of every group of a rule without one, shared: it admits every firing and never changes (frozen, so a
 * change would throw rather than leak between rules).
 */
export const NO_COOLDOWN = Object.freeze(new Cooldown(0, systemClock)) as Cooldown;
