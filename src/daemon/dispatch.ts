// Dispatcher: a batch's records through the rules to the actions and taps, a slice at a time, with backpressure.
import type { Action, Tap } from "../core/component.js";
import { ACCEPTED, type LogEvent } from "../core/event.js";
import type { Logger } from "../core/logger.js";
import { noAck, type Ack, type LogRecord, type OrderedHolds, type RecordBatch, type Release } from "../core/record.js";
import { describeError } from "../core/errors.js";
import type { Firing, RuleEngine } from "../rules/engine.js";

/** Records of a batch the rules evaluate at a time (at least the engine's prefilter minimum). */
export const EVALUATE_SLICE = 256;

/** What a dispatcher sends to: read when used, since a reload replaces the engine and actions. */
export interface DispatchTargets {
  engine(): RuleEngine;
  action(name: string): Action | undefined;
  readonly taps: readonly Tap[];
  readonly log: Logger;
}

export class Dispatcher {
  constructor(private readonly to: DispatchTargets) {}

  /**
   * A batch through the rules and taps; resolves when every action accepted its events. The rules see it a slice at
   * a time, each slice's events sent before the next slice's are built: a whole read's events built at once
   * outlived the young generation's collections, and the old one grew with every firing.
   */
  async rules(batch: RecordBatch): Promise<void> {
    const all = batch.records;
    // A tap is told which rules matched each line of what it is given, a threshold's earlier lines too: whole batch.
    const size = this.to.taps.length > 0 ? all.length : EVALUATE_SLICE;
    let at = 0;
    let from = 0;
    do {
      const records = all.length <= size ? all : all.slice(from, from + size);
      at = await this.slice(batch, records, at);
      from += size;
    } while (from < all.length);
  }

  /** Absences the clock found while a source was quiet: no line (and no checkpoint) is behind them. */
  timerFirings(firings: Firing[]): void {
    for (const firing of firings) {
      for (const tap of this.to.taps) tap.alert(firing.event);
      this.to.log.warn({ rule: firing.rule }, firing.event.message ?? firing.event.kind);
      for (const name of firing.actions) this.sendAlert(name, firing.event);
    }
  }

  /** A stats job's report (to taps) or alert (to taps, the log and its actions). */
  statsEvent(actionNames: string[], event: LogEvent): void {
    if (event.kind === "stats") {
      for (const tap of this.to.taps) tap.report(event.rule, event.data);
      return;
    }
    for (const tap of this.to.taps) tap.alert(event);
    this.to.log.warn({ stats: event.rule }, event.message ?? event.kind);
    for (const name of actionNames) this.sendAlert(name, event);
  }

  /**
   * One slice of a batch through the rules and taps; the index in the batch of the last firing's record. Indexed
   * loops: an iterator in an async function is an object per step, and there is a step per firing.
   */
  private async slice(batch: RecordBatch, records: LogRecord[], from: number): Promise<number> {
    const firings = this.to.engine().evaluate(records);
    const taps = this.to.taps;
    // Which rules matched each line only matters to taps: not built per batch without one.
    if (taps.length > 0) {
      const matched = matchesByRecord(firings);
      for (const tap of taps) tap.records(records, matched);
    }
    let at = from;
    const ack = batch.ack;
    const targets = new SliceTargets(this.to, ack);
    for (let f = 0; f < firings.length; f++) {
      const firing = firings[f] as Firing;
      const event = firing.event;
      if (event.kind !== "match") for (const tap of taps) tap.alert(event);
      at = firingIndex(batch.records, firing, at);
      const actions = firing.actions;
      for (let a = 0; a < actions.length; a++) {
        const actionName = actions[a] as string;
        const action = targets.action(actionName);
        const holds = action && targets.orderedHolds(action);
        const release = holds ? holds.hold(at) : ack.holdRecord ? ack.holdRecord(at) : ack.hold();
        const sending = this.send(action, actionName, event, release, holds);
        if (!sending) continue; // the action took the event at once: the next one goes in this turn
        // Looked up again after the wait: a reload may replace actions meanwhile.
        targets.forget();
        try {
          await sending;
        } catch (err) {
          this.refused(actionName, event, release, err, holds);
        }
      }
    }
    return at;
  }

  /**
   * Hand the event to the action: undefined when it is done with it at once (it took it, ACCEPTED, or there is no
   * such action, or it refused it outright, logged and released), else the action's promise of taking it.
   */
  private send(
    action: Action | undefined,
    actionName: string,
    event: LogEvent,
    release: Release,
    holds?: OrderedHolds,
  ): Promise<void> | undefined {
    if (!action) {
      release();
      return undefined;
    }
    try {
      const sending = action.send(event, release);
      return sending === ACCEPTED ? undefined : sending;
    } catch (err) {
      this.refused(actionName, event, release, err, holds);
      return undefined;
    }
  }

  /** An event no line is behind (an absence, a stats alert): nothing waits for it. */
  private sendAlert(actionName: string, event: LogEvent): void {
    const release = noAck.hold();
    this.send(this.to.action(actionName), actionName, event, release)?.catch((err: unknown) =>
      this.refused(actionName, event, release, err),
    );
  }

  /**
   * The action refused the event (threw, or rejected its promise): its hold ends here. An in-order action never
   * releases what it refused, and the dispatcher takes no other hold of it before the refusal is known, so the
   * refused hold is its newest.
   */
  private refused(actionName: string, event: LogEvent, release: Release, err: unknown, holds?: OrderedHolds): void {
    this.to.log.error({ action: actionName, rule: event.rule, err: describeError(err) }, "action refused an event");
    if (holds) holds.releaseNewest();
    else release();
  }
}

/**
 * The actions one slice sends to: each looked up once per stretch without a wait (firings of a slice mostly go to
 * the same few), and, for an action that releases in order, the batch's ordered holds it shares (one release
 * function for all its events of the slice instead of a closure per event).
 */
class SliceTargets {
  private name: string | undefined;
  private found: Action | undefined;
  private holds: Map<Action, OrderedHolds> | undefined;
  /** The last action asked about, and its holds: a slice's firings mostly go to one action. */
  private lastAction: Action | undefined;
  private lastHolds: OrderedHolds | undefined;

  constructor(
    private readonly to: DispatchTargets,
    private readonly ack: Ack,
  ) {}

  action(name: string): Action | undefined {
    if (name !== this.name) {
      this.name = name;
      this.found = this.to.action(name);
    }
    return this.found;
  }

  /** Forget the looked-up action (after a wait). */
  forget(): void {
    this.name = undefined;
    this.found = undefined;
  }

  orderedHolds(action: Action): OrderedHolds | undefined {
    if (action === this.lastAction) return this.lastHolds;
    let holds: OrderedHolds | undefined;
    if (action.releasesInOrder === true && this.ack.ordered) {
      holds = this.holds?.get(action);
      if (!holds) (this.holds ??= new Map()).set(action, (holds = this.ack.ordered()));
    }
    this.lastAction = action;
    this.lastHolds = holds;
    return holds;
  }
}

/**
 * The index in the batch of the record a firing came from (firings come in record order, from `from` on). When it
 * cannot be told (a threshold's records are ordered by time), `from`: an index no later than the real one only
 * makes the delivered prefix reported for the batch shorter, never longer.
 */
function firingIndex(records: LogRecord[], firing: Firing, from: number): number {
  const event = firing.event;
  if (event.kind !== "match" || event.records.length !== 1) return from;
  const trigger = event.records[0];
  for (let i = from; i < records.length; i++) if (records[i] === trigger) return i;
  return from;
}

function matchesByRecord(firings: Firing[]): Map<LogRecord, string[]> {
  const map = new Map<LogRecord, string[]>();
  for (const f of firings) {
    for (const record of f.event.records) map.set(record, [...(map.get(record) ?? []), f.rule]);
  }
  return map;
}
