// The pipeline: sources → parsers → rules and stats → actions, rebuilt piecewise on reload.
import type { Action, Source, SourceContext, Tap } from "../core/component.js";
import type { Clock } from "../core/clock.js";
import type { CheckpointStore } from "../core/checkpoint.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { RecordBatch } from "../core/record.js";
import { UserError } from "../core/errors.js";
import type { Literal } from "../core/literals.js";
import type { ActionConfig, Config, SourceConfig } from "../config/types.js";
import { findActionKind } from "../actions/index.js";
import { findSourceKind } from "../sources/index.js";
import { findParserKind } from "../parsers/index.js";
import { compileRules, type RuleEngine } from "../rules/engine.js";
import { Dispatcher, EVALUATE_SLICE } from "./dispatch.js";
import { createStatsJob, type StatsJob } from "../stats/job.js";
import { createRecordParser, type RecordParser } from "./parsers.js";
import { aborted } from "./signals.js";

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
  private readonly dispatcher: Dispatcher;

  constructor(
    config: Config,
    private readonly options: PipelineOptions,
  ) {
    this.config = config;
    this.log = options.logger;
    this.taps = options.taps ?? [];
    this.dispatcher = new Dispatcher({
      engine: () => this.engine,
      action: (name) => this.actions.get(name)?.instance,
      taps: this.taps,
      log: this.log,
    });
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
      onTimerFirings: (firings) => this.dispatcher.timerFirings(firings),
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
        emit: (event) => this.dispatcher.statsEvent(cfg.actions ?? [], event),
      });
      this.statsJobs.set(name, job);
    }
  }

  private componentContext(name: string, role: string) {
    const { clock, metrics, stateDir } = this.options;
    return { name, clock, metrics, stateDir, logger: this.log.child({ [role]: name }) };
  }

  /** One batch through parsers, stats, then the rules and taps; resolves when every action accepted its events. */
  private async dispatch(batch: RecordBatch): Promise<void> {
    this.parsers.get(batch.source)?.(batch.records);
    for (const [name, job] of this.statsJobs)
      if (this.config.stats[name]?.source === batch.source) job.push(batch.records);
    await this.dispatcher.rules(batch);
  }
}

function diffNames<T>(before: Record<string, T>, after: Record<string, T>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after[n]));
}

/** The line joiner of a parser whose format's writer splits lines (docker, cri), for the source's context. */
function joinerOf(parserType: string | undefined): Pick<SourceContext, "lineJoiner"> {
  const kind = parserType === undefined ? undefined : findParserKind(parserType);
  return kind?.joiner ? { lineJoiner: (maxLineBytes) => kind.joiner!(maxLineBytes) } : {};
}
