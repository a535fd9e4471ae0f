// The pipeline: sources → parsers → rules and stats → actions, rebuilt piecewise on reload.
import type { Action, Source, SourceContext, Tap } from "../core/component.js";
import type { Clock } from "../core/clock.js";
import type { CheckpointStore } from "../core/checkpoint.js";
import { ACCEPTED, type LogEvent } from "../core/event.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import { noAck, type LogRecord, type RecordBatch, type Release } from "../core/record.js";
import { describeError, UserError } from "../core/errors.js";
import type { Literal } from "../core/literals.js";
import type { ActionConfig, Config, SourceConfig } from "../config/types.js";
import { findActionKind } from "../actions/index.js";
import { findSourceKind } from "../sources/index.js";
import { findParserKind } from "../parsers/index.js";
import { compileRules, type Firing, type RuleEngine } from "../rules/engine.js";
import { createStatsJob, type StatsJob } from "../stats/job.js";
import { createRecordParser, type RecordParser } from "./parsers.js";
import { aborted } from "./signals.js";

/** Records of a batch the rules evaluate at a time (at least the engine's prefilter minimum). */
const EVALUATE_SLICE = 256;

/** U+FFFD or a lone surrogate in a literal: what invalid bytes decode to, so not findable in the raw bytes. */
const NOT_IN_BYTES = /\uFFFD|\p{Cs}/u;

export interface PipelineOptions {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  stateDir: string;
  checkpoints: CheckpointStore;
  once: boolean;
  /** Watchers of every batch, alert and report (the web view); none by default. */
  taps?: readonly Tap[];
}

interface Built<C, T> {
  config: C;
  instance: T;
}

export class Pipeline {
  private readonly sources = new Map<string, Built<SourceConfig, Source>>();
  private readonly actions = new Map<string, Built<ActionConfig, Action>>();
  private readonly parsers = new Map<string, RecordParser | undefined>();
  private readonly statsJobs = new Map<string, StatsJob>();
  private engine: RuleEngine;
  /** Per source, what wanted() answers; cleared whenever rules, stats or sources change. */
  private readonly wantedCache = new Map<string, readonly Literal[] | undefined>();
  private config: Config;
  private readonly log: Logger;
  private readonly taps: readonly Tap[];

  constructor(
    config: Config,
    private readonly options: PipelineOptions,
  ) {
    this.config = config;
    this.log = options.logger;
    this.taps = options.taps ?? [];
    this.engine = this.compileEngine(config);
    for (const [name, cfg] of Object.entries(config.actions))
      this.actions.set(name, { config: cfg, instance: this.createAction(name, cfg) });
    for (const [name, cfg] of Object.entries(config.sources)) this.addSource(name, cfg);
    this.buildStatsJobs(config);
  }

  /** The rules engine; a rule pattern that runs out of its time budget on a line is counted and said once. */
  private compileEngine(config: Config): RuleEngine {
    const told = new Set<string>();
    const timeouts = this.options.metrics.counter(
      "rule_pattern_timeouts_total",
      "Lines on which a rule pattern ran out of its time budget (counted as not matching)",
      ["rule"],
    );
    return compileRules(config.rules, this.options.clock, {
      metrics: this.options.metrics,
      onTimerFirings: (firings) => this.onTimerFirings(firings),
      onPatternTimeout: (rule, pattern) => {
        timeouts.inc({ rule });
        if (told.has(rule)) return;
        told.add(rule);
        this.log.warn(
          { rule, pattern },
          `rule ${rule}: pattern ${pattern} ran out of its time budget on a line (catastrophic backtracking); such ` +
            "lines count as not matching — rewrite it without nested quantifiers (see logward check)",
        );
      },
    });
  }

  /** Start every source; a source that cannot start (a port in use, say) fails the whole start. */
  async start(): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.instance.start()));
  }

  /** Resolves when every source has read what existed at start (used by --once). */
  async caughtUp(): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.instance.caughtUp()));
  }

  /** SIGHUP: reopen files and rescan paths. */
  reopen(): void {
    for (const s of this.sources.values()) s.instance.reopen?.();
  }

  /** Read every file to its current end (before a rotation compresses or removes one). */
  async settleSources(): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.instance.settle?.()));
  }

  /**
   * Stop reading, deliver what is pending within the deadline (or until `hurry` aborts), and save checkpoints.
   * What is undelivered then stays unacknowledged: its checkpoint is before it, so the next start sends it.
   */
  async drain(deadlineMs: number, hurry?: AbortSignal): Promise<void> {
    const flushing = Promise.race([this.flushActions(deadlineMs), ...(hurry ? [aborted(hurry)] : [])]);
    await Promise.all([...this.sources.values()].map((s) => s.instance.stop()));
    await flushing;
    for (const job of this.statsJobs.values()) job.stop();
    this.engine.stop();
    await Promise.all([...this.actions.values()].map((a) => a.instance.stop()));
    await this.options.checkpoints.flush();
  }

  /** Deliver everything pending now, sources still running (used by --once after catching up). */
  async flushActions(deadlineMs: number): Promise<void> {
    await Promise.all([...this.actions.values()].map((a) => a.instance.flush(deadlineMs)));
  }

  /** Apply a new config: unchanged sources and actions keep running, changed ones are replaced. */
  async reload(next: Config): Promise<void> {
    const changedActions = diffNames(this.config.actions, next.actions);
    for (const name of changedActions) {
      const old = this.actions.get(name);
      if (old) await old.instance.flush(10_000).then(() => old.instance.stop());
      this.actions.delete(name);
      const cfg = next.actions[name];
      if (cfg) this.actions.set(name, { config: cfg, instance: this.createAction(name, cfg) });
    }
    const changedSources = diffNames(this.config.sources, next.sources);
    for (const name of changedSources) {
      await this.sources.get(name)?.instance.stop();
      this.sources.delete(name);
    }
    if (JSON.stringify(this.config.rules) !== JSON.stringify(next.rules)) {
      this.engine.stop();
      this.engine = this.compileEngine(next);
    }
    if (JSON.stringify(this.config.stats) !== JSON.stringify(next.stats)) this.buildStatsJobs(next);
    this.config = next;
    this.wantedCache.clear();
    for (const name of changedSources) {
      const cfg = next.sources[name];
      if (!cfg) continue;
      this.addSource(name, cfg);
      await this.sources.get(name)?.instance.start();
    }
    this.log.info({ sources: changedSources, actions: changedActions }, "configuration reloaded");
  }

  latestStats(): Map<string, StatsJob> {
    return this.statsJobs;
  }

  private addSource(name: string, cfg: SourceConfig): void {
    const kind = findSourceKind(cfg.type);
    if (!kind) throw new UserError("CONFIG_INVALID", `source ${name}: unknown type "${cfg.type}"`);
    const { type: _type, parser, ...own } = cfg;
    this.parsers.set(name, createRecordParser(name, parser, this.log, this.options.metrics));
    const path = Array.isArray(own.path) ? own.path.join(", ") : own.path;
    for (const tap of this.taps)
      tap.sourceAdded(name, { type: cfg.type, ...(typeof path === "string" ? { path } : {}) });
    const instance = kind.create(own, {
      ...this.componentContext(name, "source"),
      checkpoints: this.options.checkpoints,
      once: this.options.once,
      emit: (batch) => this.dispatch(batch),
      wanted: () => this.wanted(name),
      ...(this.taps.length > 0 ? {} : { batchRecords: EVALUATE_SLICE }),
      ...joinerOf(parser?.type),
    });
    this.sources.set(name, { config: cfg, instance });
  }

  /**
   * The literals a source may filter its lines on: only when nothing but literal-prefiltered rules reads its
   * lines (no parser, whose fields and times every line feeds; no stats; no tap showing every line).
   */
  private wanted(source: string): readonly Literal[] | undefined {
    if (this.wantedCache.has(source)) return this.wantedCache.get(source);
    let literals: readonly Literal[] | undefined;
    const readsAll =
      this.taps.some((tap) => tap.wantsAllLines(source)) ||
      this.parsers.get(source) !== undefined ||
      Object.values(this.config.stats).some((job) => job.source === source);
    // While the rules count their literals in the source's first lines, those lines must all come (not cached).
    if (!readsAll && !this.engine.settled(source)) return undefined;
    if (!readsAll) literals = this.engine.requiredFor(source);
    // U+FFFD stands for invalid bytes in a line's text, so it is not in the bytes: no byte prefilter then.
    if (literals?.some((l) => NOT_IN_BYTES.test(l.text))) literals = undefined;
    this.wantedCache.set(source, literals);
    return literals;
  }

  private createAction(name: string, cfg: ActionConfig): Action {
    const kind = findActionKind(cfg.type);
    if (!kind) throw new UserError("CONFIG_INVALID", `action ${name}: unknown type "${cfg.type}"`);
    const { type: _type, ...own } = cfg;
    return kind.create(own, this.componentContext(name, "action"));
  }

  private buildStatsJobs(config: Config): void {
    for (const job of this.statsJobs.values()) job.stop();
    this.statsJobs.clear();
    for (const [name, cfg] of Object.entries(config.stats)) {
      const job = createStatsJob(name, cfg, {
        clock: this.options.clock,
        logger: this.log.child({ stats: name }),
        metrics: this.options.metrics,
        live: !this.options.once,
        emit: (event) => this.onStatsEvent(cfg.actions ?? [], event),
      });
      this.statsJobs.set(name, job);
    }
  }

  private componentContext(name: string, role: string) {
    const { clock, metrics, stateDir } = this.options;
    return { name, clock, metrics, stateDir, logger: this.log.child({ [role]: name }) };
  }

  /**
   * One batch through parsers, stats, rules and taps; resolves when every action accepted its events. The rules
   * see it a slice at a time, each slice's events sent before the next slice's are built: a whole read's events
   * built at once outlived the young generation's collections, and the old one grew with every firing.
   */
  private async dispatch(batch: RecordBatch): Promise<void> {
    this.parsers.get(batch.source)?.(batch.records);
    for (const [name, job] of this.statsJobs)
      if (this.config.stats[name]?.source === batch.source) job.push(batch.records);
    const all = batch.records;
    // A tap is told which rules matched each line of what it is given, a threshold's earlier lines too: whole batch.
    const size = this.taps.length > 0 ? all.length : EVALUATE_SLICE;
    let at = 0;
    let from = 0;
    do {
      const records = all.length <= size ? all : all.slice(from, from + size);
      at = await this.dispatchSlice(batch, records, at);
      from += size;
    } while (from < all.length);
  }

  /** One slice of a batch through the rules and taps; the index in the batch of the last firing's record. */
  private async dispatchSlice(batch: RecordBatch, records: LogRecord[], from: number): Promise<number> {
    const firings = this.engine.evaluate(records);
    // Which rules matched each line only matters to taps: not built per batch without one.
    if (this.taps.length > 0) {
      const matched = matchesByRecord(firings);
      for (const tap of this.taps) tap.records(records, matched);
    }
    let at = from;
    const ack = batch.ack;
    for (const firing of firings) {
      if (firing.event.kind !== "match") for (const tap of this.taps) tap.alert(firing.event);
      at = firingIndex(batch.records, firing, at);
      for (const actionName of firing.actions) {
        const release = ack.holdRecord ? ack.holdRecord(at) : ack.hold();
        const sending = this.send(actionName, firing.event, release);
        if (!sending) continue; // the action took the event at once: the next one goes in this turn
        try {
          await sending;
        } catch (err) {
          this.refused(actionName, firing.event, release, err);
        }
      }
    }
    return at;
  }

  /** Absences the clock found while a source was quiet: no line (and no checkpoint) is behind them. */
  private onTimerFirings(firings: Firing[]): void {
    for (const firing of firings) {
      for (const tap of this.taps) tap.alert(firing.event);
      this.log.warn({ rule: firing.rule }, firing.event.message ?? firing.event.kind);
      for (const name of firing.actions) this.sendAlert(name, firing.event);
    }
  }

  private onStatsEvent(actionNames: string[], event: LogEvent): void {
    if (event.kind === "stats") {
      for (const tap of this.taps) tap.report(event.rule, event.data);
      return;
    }
    for (const tap of this.taps) tap.alert(event);
    this.log.warn({ stats: event.rule }, event.message ?? event.kind);
    for (const name of actionNames) this.sendAlert(name, event);
  }

  /**
   * Hand the event to the action: undefined when it is done with it at once (it took it, ACCEPTED, or there is no
   * such action, or it refused it outright, logged and released), else the action's promise of taking it.
   */
  private send(actionName: string, event: LogEvent, release: Release): Promise<void> | undefined {
    const action = this.actions.get(actionName);
    if (!action) {
      release();
      return undefined;
    }
    try {
      const sending = action.instance.send(event, release);
      return sending === ACCEPTED ? undefined : sending;
    } catch (err) {
      this.refused(actionName, event, release, err);
      return undefined;
    }
  }

  /** An event no line is behind (an absence, a stats alert): nothing waits for it. */
  private sendAlert(actionName: string, event: LogEvent): void {
    const release = noAck.hold();
    this.send(actionName, event, release)?.catch((err: unknown) => this.refused(actionName, event, release, err));
  }

  private refused(actionName: string, event: LogEvent, release: Release, err: unknown): void {
    this.log.error({ action: actionName, rule: event.rule, err: describeError(err) }, "action refused an event");
    release();
  }
}

function diffNames<T>(before: Record<string, T>, after: Record<string, T>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after[n]));
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

/** The line joiner of a parser whose format's writer splits lines (docker, cri), for the source's context. */
function joinerOf(parserType: string | undefined): Pick<SourceContext, "lineJoiner"> {
  const kind = parserType === undefined ? undefined : findParserKind(parserType);
  return kind?.joiner ? { lineJoiner: (maxLineBytes) => kind.joiner!(maxLineBytes) } : {};
}
