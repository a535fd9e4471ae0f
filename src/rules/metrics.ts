// Per-rule Prometheus counters: matching lines, firings, and keys forgotten to stay within max_groups.
import type { Counter, CounterChild, Metrics } from "../core/metrics.js";

/** The three counter families of the rules, registered once per engine (in this order, as /metrics lists them). */
export class RuleMetrics {
  readonly matched: Counter<"rule">;
  readonly fired: Counter<"rule">;
  readonly evicted: Counter<"rule">;

  constructor(metrics: Metrics) {
    this.matched = metrics.counter("rule_matches_total", "Lines that matched a rule", ["rule"]);
    this.fired = metrics.counter("rule_fired_total", "Firings of a rule sent to its actions", ["rule"]);
    this.evicted = metrics.counter(
      "rule_groups_evicted_total",
      "Keys of a group_by rule forgotten to stay within max_groups",
      ["rule"],
    );
  }
}

/**
 * One rule's counters, bound to its name (the same series again after a reload). Each is bound on its first count:
 * most rules of a large config never match, and a bound counter holds a few closures. A series only shows in
 * /metrics from its first count either way, so the exposition is the same.
 */
export class RuleCounters {
  private matchedChild: CounterChild | undefined;
  private firedChild: CounterChild | undefined;
  private evictedChild: CounterChild | undefined;

  constructor(
    private readonly families: RuleMetrics,
    private readonly rule: string,
  ) {}

  matched(): void {
    (this.matchedChild ??= this.families.matched.labels({ rule: this.rule })).inc();
  }

  fired(): void {
    (this.firedChild ??= this.families.fired.labels({ rule: this.rule })).inc();
  }

  evicted(): void {
    (this.evictedChild ??= this.families.evicted.labels({ rule: this.rule })).inc();
  }
}
