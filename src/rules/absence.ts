// Absence (`absent: 10m`): which keys have had no matching line for that long, on the log's time while lines flow
// and on the clock while the source is quiet; each silence fires once and recovers when a line comes back.
import type { Clock } from "../core/clock.js";
import type { Group } from "./groups.js";

/**
 * A rule's absence time: the newest log time seen, advanced by the clock since it was seen. It never goes back
 * (a line from an older file arrives "now"), except on the first line, when the log's own time takes over from the
 * clock the rule started on.
 */
export class AbsenceTime {
  private anchor: number;
  private wallAt: number;
  private fromLog = false;

  constructor(private readonly clock: Clock) {
    this.anchor = this.wallAt = clock.now();
  }

  now(): number {
    return this.anchor + (this.clock.now() - this.wallAt);
  }

  /** A matching line at log time `time`: the absence time moves to it when it is ahead (or on the first line). */
  observe(time: number): number {
    const current = this.now();
    if (!this.fromLog || time > current) {
      this.fromLog = true;
      this.anchor = time;
      this.wallAt = this.clock.now();
      return time;
    }
    return current;
  }
}

/** The groups not in a fired silence, in the order they were last seen (so the first one is the first due). */
export class Silences {
  private readonly waiting = new Map<string, Group>();

  constructor(readonly absentMs: number) {}

  /** A matching line for the group at absence time `at`: true when it ends a silence that fired (a recovery). */
  seen(group: Group, at: number): boolean {
    const recovered = group.silent;
    group.silent = false;
    group.lastSeen = at;
    this.waiting.delete(group.key);
    this.waiting.set(group.key, group);
    return recovered;
  }

  /** The group is gone (evicted): it is no longer watched. */
  forget(group: Group): void {
    this.waiting.delete(group.key);
  }

  /** The groups whose silence reached absentMs by absence time `now`, oldest first; each is now silent. */
  due(now: number): Group[] {
    const out: Group[] = [];
    for (const [key, group] of this.waiting) {
      if (group.lastSeen + this.absentMs > now) break;
      this.waiting.delete(key);
      group.silent = true;
      out.push(group);
    }
    return out;
  }

  /** Absence time at which the next silence fires, or undefined when no group is watched. */
  nextDeadline(): number | undefined {
    const first = this.waiting.values().next();
    return first.done ? undefined : first.value.lastSeen + this.absentMs;
  }
}
