// Events: what rules and stats hand to actions.
import type { Fields, LogRecord } from "./record.js";

export type EventKind = "match" | "threshold" | "absence" | "alert" | "recovery" | "stats";

/** Whether an alert-like event (absence, traffic) starts or ends a condition. */
export type EventState = "firing" | "recovered";

export interface LogEvent {
  kind: EventKind;
  /** Rule or stats job that produced it. */
  rule: string;
  source: string;
  /** Event time (ms since the epoch): the triggering line's time, or the alert's time. */
  time: number;
  /** The lines behind it: one for a match, the matches of the window for a threshold. */
  records: LogRecord[];
  /** Text that matched, for a match rule. */
  match?: string;
  /** Named groups and parsed fields of the (last) triggering line. */
  fields: Fields;
  /** Matches that fired it (1 for a plain match, N for a threshold). */
  count: number;
  /** Matches swallowed by the cooldown since the last time this rule fired. */
  suppressed: number;
  /** A human sentence for alerts and stats ("High traffic generated an alert - ..."). */
  message?: string;
  /** For an absence: "firing" when the silence began, "recovered" when a matching line came back. */
  state?: EventState;
  /** Structured payload for stats reports and alerts. */
  data?: Record<string, unknown>;
}

/**
 * What an action's send() may return when it took the event at once with nothing left to wait for: the pipeline
 * then goes on to the next event in the same turn instead of awaiting (any other promise is awaited as usual).
 */
export const ACCEPTED: Promise<void> = Promise.resolve();
