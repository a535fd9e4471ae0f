// The rules engine (pure): records in, firings out — match, exclude, threshold and cooldown per rule.
import type { Clock } from "../core/clock.js";
import type { Metrics } from "../core/metrics.js";
import type { MatchResult } from "../core/pattern.js";
import type { LogRecord } from "../core/record.js";
import { Calibrator } from "./calibrate.js";
import { KeyedRule, type Emit, type Firing, type KeyedHooks } from "./keyed.js";
import { compileMatcher, type LineMatcher } from "./matcher.js";
import { RuleCounters, RuleMetrics } from "./metrics.js";
import { LiteralIndex } from "./prefilter.js";
import { forgetScores, literalsOf, type Literal } from "../core/literals.js";
import type { RuleConfig } from "./schema.js";

export type { Firing } from "./keyed.js";

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
  /** Cancel the absence timers: the engine is replaced (reload) or the daemon stops. */
  stop(): void;
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
  /** Absences found by the clock while a source is quiet (absent rules); without it only lines find them. */
  onTimerFirings?(firings: Firing[]): void;
  /** Per-rule counters (matches, firings, forgotten keys) in this registry. */
  metrics?: Metrics;
}

const DEFAULT_PREFILTER_MIN = 32;

/** Compile the configured rules (patterns already validated by the schema; a bad one throws PATTERN_INVALID). */
export function compileRules(rules: Record<string, RuleConfig>, clock: Clock, options: EngineOptions = {}): RuleEngine {
  const shared = new SharedParts(options.metrics);
  const compiled = Object.entries(rules).map(
    ([name, config]) => new CompiledRule(name, config, clock, shared, options),
  );
  const prefilterMin = options.prefilterMinRecords ?? DEFAULT_PREFILTER_MIN;
  const readers = readersBySource(compiled);
  const required = (): (readonly Literal[] | undefined)[] => compiled.map((rule) => rule.matcher.required);
  // Built when first needed, over every literal the rules may choose from their first lines (calibrate.ts), so
  // the choice counts its sample with this one automaton and then only hands the rules other literals of it.
  let index: LiteralIndex | undefined;
  const indexed = (): LiteralIndex => (index ??= new LiteralIndex(required(), choosable(compiled)));
  const calibrator = new Calibrator(compiled, options.calibrationLines, indexed);
  // The rules have their literals: the scores of the strings their analysis weighed need not stay in memory (when
  // they still choose, the calibrator weighs their sets with the same scores first, then forgets them).
  if (calibrator.done) forgetScores();
  const masks = new Map<string, Uint8Array>();
  return {
    evaluate(records) {
      const calibrating = !calibrator.done;
      if (calibrator.observe(records) && index && !index.assign(required())) index = undefined;
      // Every rule has chosen: the index searched for every literal they could choose, and is built again over the
      // chosen ones only (fewer hits to confirm per line, a smaller automaton kept for the rest of the run).
      if (calibrating && calibrator.done) index = undefined;
      if (records.length < prefilterMin) return evaluate(compiled, readers, records, undefined);
      const source = onlySource(records);
      let reads: Uint8Array | undefined;
      if (source !== undefined && !(reads = masks.get(source)))
        masks.set(source, (reads = Uint8Array.from(compiled, (rule) => (rule.sources.has(source) ? 1 : 0))));
      return evaluate(compiled, readers, records, indexed(), reads);
    },
    settled: (source) => calibrator.settled(source),
    rulesFor: (source) => (readers.get(source) ?? []).map((rule) => rule.name),
    requiredFor: (source) => requiredFor(compiled, source),
    stop: () => compiled.forEach((rule) => rule.stop()),
  };
}

/** Every literal of the sets the rules may choose from (see calibrate.ts). */
function choosable(rules: readonly CompiledRule[]): Literal[] {
  return rules.flatMap((rule) => (rule.matcher.options ?? []).flat().flatMap(literalsOf));
}

/** The source of every record, when they have one (a batch of a source), else undefined. */
function onlySource(records: readonly LogRecord[]): string | undefined {
  const source = records[0]?.source;
  for (const record of records) if (record.source !== source) return undefined;
  return source;
}

/**
 * Offer each record to the rules that read its source, line after line and rule after rule within a line, so the
 * firings come out in the order of the lines that caused them. With the index, a rule is offered only the lines
 * holding one of its literals; with `reads` (the batch is of one source), only the rules it marks. Nothing is
 * built per rule: the cost of a batch follows its candidate lines.
 */
function evaluate(
  rules: readonly CompiledRule[],
  readers: ReadonlyMap<string, readonly CompiledRule[]>,
  records: LogRecord[],
  index: LiteralIndex | undefined,
  reads?: Uint8Array,
): Firing[] {
  const out: Firing[] = [];
  const emit: Emit = (firing) => out.push(firing);
  if (!index) {
    for (const record of records) for (const rule of readers.get(record.source) ?? []) rule.offer(record, emit);
    return out;
  }
  const lines = records.map((r) => r.line);
  if (reads)
    index.visit(lines, (line, rule) => (rules[rule] as CompiledRule).offer(records[line] as LogRecord, emit), reads);
  else
    index.visit(lines, (line, ruleIndex) => {
      const record = records[line] as LogRecord;
      const rule = rules[ruleIndex] as CompiledRule;
      if (rule.sources.has(record.source)) rule.offer(record, emit);
    });
  return out;
}

/** Per source, the rules that read it, in rule order. */
function readersBySource(rules: readonly CompiledRule[]): Map<string, CompiledRule[]> {
  const out = new Map<string, CompiledRule[]>();
  for (const rule of rules)
    for (const source of rule.sources) {
      let list = out.get(source);
      if (!list) out.set(source, (list = []));
      list.push(rule);
    }
  return out;
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

/**
 * What the rules of one engine share instead of each holding its own: their source sets and action lists (most
 * rules name the same ones), the counter families, and the emit that counts a firing on its way out.
 */
class SharedParts {
  private readonly sourceSets = new Map<string, ReadonlySet<string>>();
  private readonly actionLists = new Map<string, readonly string[]>();
  private families: RuleMetrics | undefined;
  /** Where countingEmit sends firings, and whose counters count them: those of the offer in progress. */
  private target: Emit = ignore;
  private counters: RuleCounters | undefined;
  private readonly countingEmit: Emit = (firing) => this.target(counted(firing, this.counters));

  constructor(private readonly metrics: Metrics | undefined) {}

  sources(names: readonly string[]): ReadonlySet<string> {
    const key = JSON.stringify(names);
    let set = this.sourceSets.get(key);
    if (!set) this.sourceSets.set(key, (set = new Set(names)));
    return set;
  }

  /** The actions as one frozen list, the same for every rule naming the same actions (firings carry it as is). */
  actions(names: readonly string[]): readonly string[] {
    const key = JSON.stringify(names);
    let list = this.actionLists.get(key);
    if (!list) this.actionLists.set(key, (list = Object.freeze([...names])));
    return list;
  }

  /** The rule's counters; the families are registered with the first rule (as /metrics has always listed them). */
  countersOf(rule: string): RuleCounters | undefined {
    if (!this.metrics) return undefined;
    return new RuleCounters((this.families ??= new RuleMetrics(this.metrics)), rule);
  }

  /** Offer through an emit that counts the rule's firings (a firing is emitted within the offer, never later). */
  offerCounted(keyed: KeyedRule, counters: RuleCounters, record: LogRecord, found: MatchResult, emit: Emit): void {
    this.target = emit;
    this.counters = counters;
    try {
      keyed.offer(record, found, this.countingEmit);
    } finally {
      // Not kept past the offer: the batch's emit holds its firings, which would stay alive until the next match.
      this.target = ignore;
      this.counters = undefined;
    }
  }
}

class CompiledRule {
  readonly sources: ReadonlySet<string>;
  readonly matcher: LineMatcher;
  private readonly keyed: KeyedRule;
  private readonly counters: RuleCounters | undefined;

  constructor(
    readonly name: string,
    config: RuleConfig,
    clock: Clock,
    private readonly shared: SharedParts,
    options: EngineOptions = {},
  ) {
    this.sources = shared.sources(config.source);
    const onPatternTimeout = options.onPatternTimeout;
    this.matcher = compileMatcher(config.match, config.exclude, (p) => onPatternTimeout?.(name, p));
    const counters = (this.counters = shared.countersOf(name));
    const onTimer = options.onTimerFirings;
    // Only the hooks the rule can call: a timer only finds absences, and only group_by keys are ever forgotten.
    const timers = onTimer && config.absent !== undefined;
    const evictions = counters && config.group_by;
    this.keyed = new KeyedRule(
      name,
      config,
      clock,
      timers || evictions
        ? {
            ...(timers
              ? { onTimerFirings: (firings: Firing[]) => onTimer(firings.map((f) => counted(f, counters))) }
              : {}),
            ...(evictions ? { onEvicted: () => counters.evicted() } : {}),
          }
        : NO_HOOKS,
      shared.actions(config.actions),
    );
  }

  /** One record of a source this rule reads: its firings (if any: no match, window not full, cooldown) to emit. */
  offer(record: LogRecord, emit: Emit): void {
    const found = this.matcher.match(record.line);
    if (!found) return;
    const counters = this.counters;
    if (!counters) return this.keyed.offer(record, found, emit);
    counters.matched();
    this.shared.offerCounted(this.keyed, counters, record, found, emit);
  }

  stop(): void {
    this.keyed.stop();
  }
}

const ignore: Emit = () => {};
const NO_HOOKS: KeyedHooks = Object.freeze({});

function counted(firing: Firing, counters: RuleCounters | undefined): Firing {
  if (firing.event.state !== "recovered") counters?.fired();
  return firing;
}
