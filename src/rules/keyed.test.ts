// Unit tests of group_by and absent: a key's own window and cooldown, bounded keys, silences and recoveries.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { Metrics } from "../core/metrics.js";
import { commandEnv } from "../actions/exec/env.js";
import { compileRules, type Firing } from "./engine.js";
import { groupKey, GroupTable, MAX_KEY_CHARS } from "./groups.js";
import { T0, rec, rule } from "./testing/records.js";

const clock = () => new FakeClock(T0);
const failed = (ip: string, at: number) => rec(`Failed password for root from ${ip} port 22`, at);
const jail = { match: "/Failed password for \\S+ from (?<ip>[\\d.]+)/", group_by: "ip" };

describe("group_by", () => {
  it("fires for the address with 5 failures in 10 minutes, not for the one with 4", () => {
    const engine = compileRules({ ssh: rule({ ...jail, threshold: { count: 5, within: "10m" } }) }, clock());
    const lines = [];
    for (let i = 0; i < 5; i++) lines.push(failed("10.0.0.1", i * 60_000), failed("10.0.0.2", i * 60_000 + 1));
    const firings = engine.evaluate(lines.slice(0, -1).concat(failed("10.0.0.3", 5 * 60_000)));
    expect(firings.map((f) => [f.event.fields.ip, f.event.count])).toEqual([["10.0.0.1", 5]]);
    const [late] = engine.evaluate([failed("10.0.0.2", 9 * 60_000)]);
    expect(late?.event.fields.ip).toBe("10.0.0.2");
  });

  it("gives each key its own cooldown, and the exec command the key's fields", () => {
    const engine = compileRules({ ssh: rule({ ...jail, cooldown: "1h" }) }, clock());
    const firings = engine.evaluate([failed("1.1.1.1", 0), failed("1.1.1.1", 1), failed("2.2.2.2", 2)]);
    expect(firings.map((f) => f.event.fields.ip)).toEqual(["1.1.1.1", "2.2.2.2"]);
    const env = commandEnv(firings[1]!.event, { count: 1, suppressed: 0 });
    expect(env.LOGWARD_FIELD_IP).toBe("2.2.2.2");
  });

  it("ignores a line without the key's field (it cannot be told whose it is)", () => {
    const engine = compileRules({ r: rule({ match: "x", group_by: ["host", "user"] }) }, clock());
    const firings = engine.evaluate([
      rec("x", 0, "app", { host: "a" }),
      rec("x", 0, "app", { host: "a", user: null }),
      rec("x", 0, "app", { user: "u" }),
    ]);
    expect(firings.map((f) => f.event.fields)).toEqual([{ host: "a", user: null }]);
  });

  it("forgets the least recently seen key past max_groups, and counts it", () => {
    const metrics = new Metrics();
    const config = rule({ ...jail, threshold: { count: 2, within: "1h" }, max_groups: 2 });
    const engine = compileRules({ ssh: config }, clock(), { metrics });
    // .1 is seen again after .2, so .2 is the least recently seen when .3 comes.
    engine.evaluate([failed("10.0.0.1", 0), failed("10.0.0.2", 1), failed("10.0.0.1", 2), failed("10.0.0.3", 3)]);
    expect(engine.evaluate([failed("10.0.0.2", 4)])).toEqual([]); // its first failure was forgotten
    const text = metrics.getSingleMetric("logward_rule_groups_evicted_total");
    expect(text?.exposition()).toContain('logward_rule_groups_evicted_total{rule="ssh"} 2'); // .2, then .3
  });

  it("stays within its byte budget whatever the number of long keys, which it keeps as hashes", () => {
    const long = "u".repeat(30 * 1024);
    const a = groupKey(["user"], { user: `${long}a` })!;
    const b = groupKey(["user"], { user: `${long}b` })!;
    expect(a.key).not.toBe(b.key); // distinct keys stay distinct
    expect(a.key.length).toBeLessThanOrEqual(MAX_KEY_CHARS);
    expect(String(a.fields.user).length).toBeLessThanOrEqual(MAX_KEY_CHARS);
    const limits = {
      maxGroups: 1_000_000,
      maxBytes: 1024 * 1024,
      threshold: { count: 3, within: 60_000 },
      cooldown: 0,
    };
    let evicted = 0;
    const table = new GroupTable(limits, clock(), () => evicted++);
    for (let i = 0; i < 1_000; i++) {
      const key = groupKey(["user"], { user: `${long}${i}` })!;
      const group = table.touch(key.key, key.fields, "app");
      group.window?.add(rec("x".repeat(10_000)), i);
      table.recharge(group, rec("x".repeat(10_000)));
      expect(table.heldBytes).toBeLessThanOrEqual(limits.maxBytes + 100_000);
    }
    expect(table.size).toBeLessThan(100);
    expect(evicted).toBe(1_000 - table.size);
  });
});

describe("absent", () => {
  function heartbeat(extra: Record<string, unknown> = {}) {
    const c = clock();
    const timed: Firing[] = [];
    const metrics = new Metrics();
    const engine = compileRules({ hb: rule({ match: "heartbeat", absent: "10m", ...extra }) }, c, {
      onTimerFirings: (f) => timed.push(...f),
      metrics,
    });
    return { c, timed, engine, metrics };
  }

  it("fires once when the source is quiet for the duration on the clock, and recovers when a line comes", () => {
    const { c, timed, engine, metrics } = heartbeat();
    expect(engine.evaluate([rec("heartbeat", 0)])).toEqual([]); // a heartbeat is not an alert
    c.advance(10 * 60_000 - 1);
    expect(timed).toEqual([]);
    c.advance(1);
    expect(timed.map((f) => [f.event.kind, f.event.state, f.event.time - T0])).toEqual([
      ["absence", "firing", 600_000],
    ]);
    expect(timed[0]?.event.message).toMatch(/^hb: no matching line for 10m \(last at 2026-11-21T04:15:00.000Z\)$/);
    c.advance(60 * 60_000);
    expect(timed).toHaveLength(1); // once per silence
    const [back, ...rest] = engine.evaluate([rec("heartbeat", 75 * 60_000)]);
    expect(rest).toEqual([]);
    expect(back?.event).toMatchObject({ kind: "absence", state: "recovered", count: 1 });
    expect(back?.event.message).toBe("hb: a matching line came back after 75m");
    const fired = metrics.getSingleMetric("logward_rule_fired_total")?.exposition();
    expect(fired).toContain('logward_rule_fired_total{rule="hb"} 1');
    engine.stop();
  });

  it("fires when the heartbeat never came at all", () => {
    const { c, timed, engine } = heartbeat();
    c.advance(10 * 60_000);
    expect(timed.map((f) => f.event.kind)).toEqual(["absence"]);
    engine.stop();
  });

  it("measures on the log's time while lines flow: a 20-minute gap in a replayed log is a silence", () => {
    const { engine } = heartbeat();
    expect(engine.evaluate([rec("heartbeat", -3_600_000)])).toEqual([]);
    const firings = engine.evaluate([rec("heartbeat", -3_590_000), rec("heartbeat", -3_590_000 + 20 * 60_000)]);
    expect(firings.map((f) => [f.event.state, f.event.time - T0])).toEqual([
      ["firing", -3_590_000 + 600_000],
      ["recovered", -3_590_000 + 20 * 60_000],
    ]);
  });

  it("with group_by watches each host seen once, and only those", () => {
    const { c, timed, engine } = heartbeat({ match: "/heartbeat from (?<host>\\w+)/", group_by: "host" });
    c.advance(60 * 60_000);
    expect(timed).toEqual([]); // no host seen yet: nothing to miss
    engine.evaluate([rec("heartbeat from web1", 3_600_000), rec("heartbeat from web2", 3_600_000)]);
    for (let m = 1; m <= 15; m++) {
      c.advance(60_000);
      engine.evaluate([rec("heartbeat from web1", 3_600_000 + m * 60_000)]);
    }
    expect(timed.map((f) => [f.event.fields, f.event.source])).toEqual([[{ host: "web2" }, "app"]]);
    const back = engine.evaluate([rec("heartbeat from web2", 3_600_000 + 16 * 60_000)]);
    expect(back.map((f) => [f.event.state, f.event.fields.host])).toEqual([["recovered", "web2"]]);
    engine.stop();
  });

  it("stops its timer with the engine", () => {
    const { c, timed, engine } = heartbeat();
    engine.stop();
    c.advance(3_600_000);
    expect(timed).toEqual([]);
  });

  it("is refused together with a threshold or a cooldown", () => {
    expect(() => rule({ absent: "1m", threshold: { count: 2, within: "1m" } })).toThrow(/write two rules/);
    expect(() => rule({ absent: "1m", cooldown: "1h" })).toThrow(/cooldown does not apply/);
  });
});
