// Cooldown: after a rule fires, would-be firings within the cooldown are swallowed and counted.
import type { Clock } from "../core/clock.js";

export class Cooldown {
  private last: { time: number; at: number } | undefined;
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
    if (this.ms > 0 && this.last && this.elapsed(time, this.last) < this.ms) {
      this.swallowed += matches;
      return undefined;
    }
    const suppressed = this.swallowed;
    this.swallowed = 0;
    this.last = { time, at: this.clock.now() };
    return suppressed;
  }

  /** Time since the last firing on the log's clock; when the log's time went backwards, on the wall clock. */
  private elapsed(time: number, last: { time: number; at: number }): number {
    return time >= last.time ? time - last.time : this.clock.now() - last.at;
  }
}
