// The rules engine (pure): records in, firings out — match, exclude, threshold and cooldown per rule.
import type { Clock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import type { MatchResult } from "../core/pattern.js";
import type { LogRecord } from "../core/record.js";
import { Calibrator } from "./calibrate.js";
import { Cooldown } from "./cooldown.js";
import { compileMatcher, type LineMatcher } from "./matcher.js";
import { LiteralIndex } from "./prefilter.js";
import type { Literal } from "../core/literals.js";
import type { RuleConfig } from "./schema.js";
import { ThresholdWindow } from "./threshold.js";

export interface Firing {
  rule: string;
  actions: string[];
  event: LogEvent;
}

export interface RuleEngine {
  /** Run a batch (records of any source) through every rule; firings come out in record order. */
  evaluate(records: LogRecord[]): Firing[];
  /** Names of the rules that read this source. */
  rulesFor(source: string): string[];
  /**
   * Literals of which every line of this source that can matter to a rule contains one: empty when no rule
   * reads it, undefined when some rule may match a line without any (no literal prefilter for it).
   */
  requiredFor(source: string): readonly Literal[] | undefined;
  /**
   * False while the rules of this source still count their literal sets in its first lines (calibrate.ts): until
   * then requiredFor may change, and those lines must reach the engine unfiltered.
   */
  settled(source: string): boolean;
}

export interface EngineOptions {
  /** Batches with at least this many records use the literal prefilter (default 32; Infinity disables it). */
  prefilterMinRecords?: number;
  /** Lines of each source counted before its rules choose their literals (calibrate.ts; for tests). */
  calibrationLines?: number;
  /** A guarded pattern (see guard.ts) ran out of time on a line, which then counted as not matching. */
  onPatternTimeout?(rule: string, pattern: string): void;
}

const DEFAULT_PREFILTER_MIN = 32;

/** Compile the configured rules (patterns already validated by the schema; a bad one throws PATTERN_INVALID). */
export function compileRules(rules: Record<string, RuleConfig>, clock: Clock, options: EngineOptions = {}): RuleEngine {
  const compiled = Object.entries(rules).map(([name, config]) => new CompiledRule(name, config, clock, options));
  const prefilterMin = options.prefilterMinRecords ?? DEFAULT_PREFILTER_MIN;
  const calibrator = new Calibrator(compiled, options.calibrationLines);
  // Built when first needed, and again when the rules chose other literals from the first lines (calibrate.ts).
  let index: LiteralIndex | undefined;
  return {
    evaluate(records) {
      if (calibrator.observe(records)) index = undefined;
      if (records.length < prefilterMin) return evaluate(compiled, records, undefined);
      index ??= new LiteralIndex(compiled.map((rule) => rule.matcher.required));
      return evaluate(compiled, records, index);
    },
    settled: (source) => calibrator.settled(source),
    rulesFor: (source) => compiled.filter((rule) => rule.sources.has(source)).map((rule) => rule.name),
    requiredFor: (source) => requiredFor(compiled, source),
  };
}

function evaluate(rules: readonly CompiledRule[], records: LogRecord[], index: LiteralIndex | undefined): Firing[] {
  if (records.length === 0) return [];
  const present = new Set(records.map((r) => r.source));
  const candidates = index?.candidates(records.map((r) => r.line));
  const out: { index: number; order: number; firing: Firing }[] = [];
  rules.forEach((rule, order) => {
    if (![...rule.sources].some((s) => present.has(s))) return;
    const indexes = candidates?.[order];
    const visit = (index: number): void => {
      const record = records[index] as LogRecord;
      if (!rule.sources.has(record.source)) return;
      const firing = rule.offer(record);
      if (firing) out.push({ index, order, firing });
    };
    if (indexes) indexes.forEach(visit);
    else for (let i = 0; i < records.length; i++) visit(i);
  });
  // Rules run one after the other; put their firings back in the order of the lines that caused them.
  out.sort((a, b) => a.index - b.index || a.order - b.order);
  return out.map((o) => o.firing);
}

function requiredFor(rules: readonly CompiledRule[], source: string): readonly Literal[] | undefined {
  const literals = new Map<string, Literal>();
  for (const rule of rules) {
    if (!rule.sources.has(source)) continue;
    const required = rule.matcher.required;
    if (!required) return undefined;
    for (const literal of required) literals.set(`${literal.fold}:${literal.text}`, literal);
  }
  return [...literals.values()];
}

class CompiledRule {
  readonly sources: ReadonlySet<string>;
  readonly matcher: LineMatcher;
  private readonly actions: string[];
  private readonly window: ThresholdWindow<LogRecord> | undefined;
  private readonly cooldown: Cooldown;
  private readonly clock: Clock;

  constructor(
    readonly name: string,
    config: RuleConfig,
    clock: Clock,
    options: EngineOptions = {},
  ) {
    this.sources = new Set(config.source);
    this.matcher = compileMatcher(config.match, config.exclude, (p) => options.onPatternTimeout?.(name, p));
    this.actions = [...config.actions];
    this.window = config.threshold ? new ThresholdWindow(config.threshold.count, config.threshold.within) : undefined;
    this.cooldown = new Cooldown(config.cooldown, clock);
    this.clock = clock;
  }

  /** One record of a source this rule reads: a firing, or undefined (no match, window not full, cooldown). */
  offer(record: LogRecord): Firing | undefined {
    const found = this.matcher.match(record.line);
    if (!found) return undefined;
    // A record without a usable time (bad input) is taken as happening now, so windows stay sound.
    const time = Number.isFinite(record.time) ? record.time : this.clock.now();
    const records = this.window ? this.window.add(record, time) : [record];
    if (!records) return undefined;
    const suppressed = this.cooldown.admit(time, records.length);
    if (suppressed === undefined) return undefined;
    return { rule: this.name, actions: [...this.actions], event: this.event(record, time, found, records, suppressed) };
  }

  private event(
    record: LogRecord,
    time: number,
    found: MatchResult,
    records: LogRecord[],
    suppressed: number,
  ): LogEvent {
    return {
      kind: this.window ? "threshold" : "match",
      rule: this.name,
      source: record.source,
      time,
      records,
      match: found.match,
      fields: { ...record.fields, ...found.groups },
      count: records.length,
      suppressed,
    };
  }
}
