// What firings share (a rule's actions list, the empty fields of a plain match) is frozen, and nothing one firing's
// consumer changes reaches another firing: two rules on one line, named groups, group_by keys, threshold windows.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import type { Firing } from "./engine.js";
import { compileRules } from "./engine.js";
import { T0, rec, rule } from "./testing/records.js";

const clock = () => new FakeClock(T0);

/** What an action that keeps events and edits them (against the contract) would do to everything it can reach. */
function vandalize(firing: Firing): void {
  const event = firing.event;
  const tryIt = (fn: () => void) => {
    try {
      fn();
    } catch {
      // A frozen shared object refuses: that is the point.
    }
  };
  tryIt(() => (event.fields.hacked = "yes"));
  tryIt(() => (firing.actions as string[]).push("evil"));
  tryIt(() => event.records.push(rec("injected")));
  tryIt(() => (event.match = "changed"));
}

describe("objects shared between firings", () => {
  it("gives every firing of a rule one frozen actions list, a copy of the config's", () => {
    const config = rule({ match: "x", actions: ["a", "b"] });
    const engine = compileRules({ r: config }, clock());
    const [first, second] = engine.evaluate([rec("x 1"), rec("x 2")]);
    expect(first?.actions).toBe(second?.actions);
    expect(Object.isFrozen(first?.actions)).toBe(true);
    expect(() => (first?.actions as string[]).push("evil")).toThrow(TypeError);
    config.actions.push("late"); // the config changed after compiling: firings keep what was compiled
    expect(engine.evaluate([rec("x 3")])[0]?.actions).toEqual(["a", "b"]);
  });

  it("keeps two rules firing on the same line apart, whatever a consumer does to the first's event", () => {
    const engine = compileRules(
      { plain: rule({ match: "GET", actions: ["a"] }), named: rule({ match: "/(?<verb>GET) (?<path>\\S+)/" }) },
      clock(),
    );
    const line = rec("GET /x HTTP/1.1", 0, "app", { status: 200 });
    const firings = engine.evaluate([line, rec("GET /y"), rec("GET /z")]);
    expect(firings).toHaveLength(6);
    for (const f of firings) vandalize(f);
    const again = engine.evaluate([rec("GET /w"), line]);
    expect(again.map((f) => [f.rule, f.actions, f.event.fields, f.event.records.length, f.event.match])).toEqual([
      ["plain", ["a"], {}, 1, "GET"],
      ["named", ["act"], { verb: "GET", path: "/w" }, 1, "GET /w"],
      ["plain", ["a"], { status: 200 }, 1, "GET"],
      ["named", ["act"], { status: 200, verb: "GET", path: "/x" }, 1, "GET /x"],
    ]);
    expect(line.fields).toEqual({ status: 200 }); // the record's own fields were never the event's
  });

  it("shares only a frozen empty fields object, never one with content", () => {
    const engine = compileRules({ r: rule({ match: "x" }), g: rule({ match: "/(?<n>x)/" }) }, clock());
    const [a, b, c, d] = engine.evaluate([rec("x"), rec("x", 1, "app", { k: 1 })]);
    expect(Object.isFrozen(a?.event.fields)).toBe(true);
    expect(() => (a!.event.fields.k = 2)).toThrow(TypeError);
    const withContent = [b, c, d].map((f) => f?.event.fields);
    for (const fields of withContent) expect(Object.isFrozen(fields)).toBe(false);
    expect(new Set(withContent).size).toBe(3);
  });

  it("gives each firing of a group_by key its own fields, unchanged by an earlier firing's consumer", () => {
    const engine = compileRules({ r: rule({ match: "/user=(?<user>\\w+)/", group_by: "user" }) }, clock());
    const first = engine.evaluate([rec("user=bob a"), rec("user=eve b")]);
    for (const f of first) vandalize(f);
    const next = engine.evaluate([rec("user=bob c"), rec("user=eve d")]);
    expect(next.map((f) => f.event.fields)).toEqual([{ user: "bob" }, { user: "eve" }]);
  });

  it("starts each threshold window with its own records, whatever was done to the last window's", () => {
    const engine = compileRules({ r: rule({ match: "x", threshold: { count: 2, within: "1m" } }) }, clock());
    const first = engine.evaluate([rec("x 1", 0), rec("x 2", 1)]);
    expect(first).toHaveLength(1);
    vandalize(first[0]!);
    const second = engine.evaluate([rec("x 3", 2), rec("x 4", 3)]);
    expect(second.map((f) => f.event.records.map((r) => r.line))).toEqual([["x 3", "x 4"]]);
    expect(second[0]?.event.records).not.toBe(first[0]?.event.records);
  });

  it("counts nothing as suppressed without a cooldown, and still swallows within one", () => {
    const engine = compileRules(
      { none: rule({ match: "x" }), cool: rule({ match: "x", cooldown: "1m", actions: ["b"] }) },
      clock(),
    );
    const firings = engine.evaluate([rec("x", 0), rec("x", 1000), rec("x", 61_000), rec("x", 1)]);
    expect(firings.map((f) => [f.rule, f.event.suppressed])).toEqual([
      ["none", 0],
      ["cool", 0],
      ["none", 0],
      ["none", 0],
      ["cool", 1],
      ["none", 0],
    ]);
  });
});
