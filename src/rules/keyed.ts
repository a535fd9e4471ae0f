// What a rule does with its matching lines, per key (group_by): threshold window, cooldown, absence and recovery.
import type { Clock, Timer } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import type { MatchResult } from "../core/pattern.js";
import { NO_FIELDS, type Fields, type LogRecord } from "../core/record.js";
import { formatDuration } from "../core/units.js";
import { isEmpty, isoTime } from "../core/wire.js";
import { AbsenceTime, Silences } from "./absence.js";
import { DEFAULT_MAX_GROUPS, type RuleConfig } from "./schema.js";
import { groupKey, GroupTable, MAX_GROUP_BYTES, newGroup, type Group } from "./groups.js";

export interface Firing {
  rule: string;
  /** The rule's actions: one frozen list shared by all its firings. */
  actions: readonly string[];
  event: LogEvent;
}

export type Emit = (firing: Firing) => void;

export interface KeyedHooks {
  /** Absences found by the clock while no line came; without it, silences are only found when lines come. */
  onTimerFirings?(firings: Firing[]): void;
  /** A key was forgotten to stay within max_groups or the byte budget. */
  onEvicted?(): void;
}

export class KeyedRule {
  private readonly groupBy: readonly string[] | undefined;
  /** The groups of a group_by rule (a rule without group_by has only `single`). */
  private readonly table: GroupTable | undefined;
  /** The one group of a rule without group_by. */
  private readonly single: Group | undefined;
  private readonly silences: Silences | undefined;
  /** Absence time, for an absent rule only. */
  private readonly time: AbsenceTime | undefined;
  private readonly kind: "match" | "threshold";
  /** Frozen once: every firing of the rule carries this same list instead of a copy of its own. */
  private readonly actions: readonly string[];
  private timer: { handle: Timer; wallAt: number } | undefined;
  private stopped = false;

  /**
   * Only what the rule's config uses is built (a thousand plain match rules need no table, timer or silences), and
   * the config itself is not kept.
   */
  constructor(
    private readonly name: string,
    config: RuleConfig,
    private readonly clock: Clock,
    private readonly hooks: KeyedHooks = {},
    /** The frozen list of config.actions (rules with the same actions may share one). */
    actions: readonly string[] = Object.freeze([...config.actions]),
  ) {
    this.groupBy = config.group_by;
    this.kind = config.threshold ? "threshold" : "match";
    this.actions = actions;
    const limits = {
      maxGroups: config.max_groups ?? DEFAULT_MAX_GROUPS,
      maxBytes: MAX_GROUP_BYTES,
      threshold: config.threshold,
      cooldown: config.cooldown,
    };
    if (config.absent !== undefined) {
      this.time = new AbsenceTime(clock);
      this.silences = new Silences(config.absent);
    }
    if (this.groupBy) {
      this.table = new GroupTable(limits, clock, (group) => {
        this.silences?.forget(group);
        hooks.onEvicted?.();
      });
      return;
    }
    this.single = newGroup("", NO_FIELDS, config.source[0] ?? "", limits, clock);
    // Without group_by, the silence counts from the start: a heartbeat that never comes fires too.
    if (this.time) this.silences?.seen(this.single, this.time.now());
    this.arm();
  }

  /** A matching line: its firings (a threshold or match, or absences and a recovery) go to emit. */
  offer(record: LogRecord, found: MatchResult, emit: Emit): void {
    // Merged only when needed: a threshold rule's lines that do not fill the window never need it.
    const fields = this.groupBy || this.silences ? mergeFields(record, found) : undefined;
    // A record without a usable time (bad input) is taken as happening now, so windows stay sound.
    const time = Number.isFinite(record.time) ? record.time : this.clock.now();
    const group = fields ? this.groupOf(record, fields) : this.single;
    if (!group) return;
    if (this.silences) return this.offerAbsent(group, record, time, fields as Fields, emit);
    const records = group.window ? group.window.add(record, time) : [record];
    if (group.window && this.table) this.table.recharge(group, record);
    if (!records) return;
    const suppressed = group.cooldown.admit(time, records.length);
    if (suppressed === undefined) return;
    const event: LogEvent = {
      kind: this.kind,
      rule: this.name,
      source: record.source,
      time,
      records,
      match: found.match,
      fields: fields ?? mergeFields(record, found),
      count: records.length,
      suppressed,
    };
    emit(this.firing(event));
  }

  /** Cancel the absence timer (the engine is replaced or the daemon stops). */
  stop(): void {
    this.stopped = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  private groupOf(record: LogRecord, fields: Fields): Group | undefined {
    if (!this.groupBy) return this.single;
    const key = groupKey(this.groupBy, fields);
    return key ? this.table?.touch(key.key, key.fields, record.source) : undefined;
  }

  /** Absences due by this line's time first, then the line itself: a recovery when its key was silent. */
  private offerAbsent(group: Group, record: LogRecord, time: number, fields: Fields, emit: Emit): void {
    const silences = this.silences as Silences;
    const absenceTime = this.time as AbsenceTime;
    group.source = record.source;
    const at = absenceTime.observe(time);
    for (const due of silences.due(at)) emit(this.absence(due));
    const since = group.lastSeen;
    if (silences.seen(group, at)) {
      const message = `${this.name}: a matching line came back after ${formatDuration(Math.max(0, at - since))}`;
      const event = {
        ...this.base(record.source, time, fields),
        kind: "absence" as const,
        state: "recovered" as const,
      };
      emit(this.firing({ ...event, records: [record], message }));
    }
    this.arm();
  }

  private absence(group: Group): Firing {
    const absent = this.silences?.absentMs ?? 0;
    const last = isoTime(group.lastSeen) ?? "never";
    const key = Object.entries(group.fields).map(([name, value]) => ` ${name}=${String(value)}`);
    const message = `${this.name}:${key.join("")} no matching line for ${formatDuration(absent)} (last at ${last})`;
    const base = this.base(group.source, group.lastSeen + absent, group.fields);
    return this.firing({ ...base, kind: "absence", state: "firing", records: [], count: 0, message });
  }

  private base(source: string, time: number, fields: Fields): LogEvent {
    return { kind: this.kind, rule: this.name, source, time, records: [], fields, count: 1, suppressed: 0 };
  }

  private firing(event: LogEvent): Firing {
    return { rule: this.name, actions: this.actions, event };
  }

  /** Keep one clock timer for the next silence (a timer due too early only re-checks). */
  private arm(): void {
    if (!this.hooks.onTimerFirings || !this.silences || !this.time || this.stopped) return;
    const deadline = this.silences.nextDeadline();
    if (deadline === undefined) return;
    const wallAt = this.clock.now() + Math.max(0, Math.ceil(deadline - this.time.now()));
    if (this.timer && this.timer.wallAt <= wallAt) return;
    this.timer?.handle.cancel();
    const handle = this.clock.setTimeout(() => this.onTimer(), wallAt - this.clock.now());
    this.timer = { handle, wallAt };
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.stopped || !this.silences || !this.time) return;
    const due = this.silences.due(this.time.now());
    if (due.length > 0) this.hooks.onTimerFirings?.(due.map((group) => this.absence(group)));
    this.arm();
  }
}

/** Named groups of the match over the record's parsed fields (the record itself stays untouched). */
function mergeFields(record: LogRecord, found: MatchResult): Fields {
  if (isEmpty(found.groups) && isEmpty(record.fields)) return NO_FIELDS;
  return { ...record.fields, ...found.groups };
}
