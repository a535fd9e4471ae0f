// The rules' counters in /metrics: the exposition byte for byte as before counters were bound on first count
// (families listed from the first compile, series in the order of their first count, the same series after a reload).
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { Metrics } from "../core/metrics.js";
import { compileRules } from "./engine.js";
import { rec, rule } from "./testing/records.js";

const FAMILIES = [
  ["rule_matches_total", "Lines that matched a rule"],
  ["rule_fired_total", "Firings of a rule sent to its actions"],
  ["rule_groups_evicted_total", "Keys of a group_by rule forgotten to stay within max_groups"],
] as const;

/** The exposition of the rule families with these series lines each (in family order). */
function expected(series: readonly (readonly string[])[]): string {
  const other =
    "# HELP logward_other_total Set before the rules\n# TYPE logward_other_total counter\nlogward_other_total 1";
  const families = FAMILIES.map(([name, help], i) =>
    [`# HELP logward_${name} ${help}`, `# TYPE logward_${name} counter`, ...(series[i] ?? [])].join("\n"),
  );
  return `${[other, ...families].join("\n\n")}\n`;
}

describe("rule counters", () => {
  it("lists the families from the compile, each series from its first count, keeps them over a reload", async () => {
    const metrics = new Metrics();
    metrics.counter("other_total", "Set before the rules").inc();
    const config = {
      quiet: rule({ match: "never-here" }),
      err: rule({ match: "/err(or)?/", cooldown: "1m" }),
      keyed: rule({ match: "/user=(?<user>\\w+)/", group_by: ["user"], max_groups: 1 }),
      thr: rule({ match: "slow", threshold: { count: 2, within: "1m" } }),
    };
    const engine = compileRules(config, new FakeClock(), { metrics, prefilterMinRecords: 0 });
    expect(await metrics.text()).toBe(expected([]));
    const lines = ["error one", "user=a", "user=b", "slow", "err two", "slow", "user=a", "nothing", "slow"];
    const records = lines.map((line, i) => rec(line, i * 1000));
    engine.evaluate(records.slice(0, 4));
    engine.evaluate(records.slice(4));
    // A reload: a new engine over the same registry counts on in the same series.
    compileRules(config, new FakeClock(), { metrics }).evaluate(records.slice(0, 2));
    expect(await metrics.text()).toBe(
      expected([
        ['logward_rule_matches_total{rule="err"} 3', 'logward_rule_matches_total{rule="keyed"} 4'].concat(
          'logward_rule_matches_total{rule="thr"} 3',
        ),
        ['logward_rule_fired_total{rule="err"} 2', 'logward_rule_fired_total{rule="keyed"} 4'].concat(
          'logward_rule_fired_total{rule="thr"} 1',
        ),
        ['logward_rule_groups_evicted_total{rule="keyed"} 2'],
      ]),
    );
  });
});
