// Per-rule Prometheus counters: matching lines, firings, and keys forgotten to stay within max_groups.
import type { CounterChild, Metrics } from "../core/metrics.js";

export interface RuleCounters {
  matched: CounterChild;
  fired: CounterChild;
  evicted: CounterChild;
}

/** The rule's counters, bound to its name (the same series again after a reload). */
export function ruleCounters(metrics: Metrics, rule: string): RuleCounters {
  return {
    matched: metrics.counter("rule_matches_total", "Lines that matched a rule", ["rule"]).labels({ rule }),
    fired: metrics.counter("rule_fired_total", "Firings of a rule sent to its actions", ["rule"]).labels({ rule }),
    evicted: metrics
      .counter("rule_groups_evicted_total", "Keys of a group_by rule forgotten to stay within max_groups", ["rule"])
      .labels({ rule }),
  };
}
