// Unit tests of the rules engine: patterns, groups, exclude, thresholds, cooldown, several rules and actions.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { compileRules } from "./engine.js";
import { T0, rec, rule } from "./testing/records.js";

const clock = () => new FakeClock(T0);

describe("match", () => {
  it.each([
    ["literal", "Killed process", "kernel: Killed process 42", "Killed process"],
    ["/re/", "/Out(Of)?Memory/", "java.lang.OutOfMemoryError", "OutOfMemory"],
    ["/re/i", "/outofmemory/i", "java.lang.OutOfMemoryError", "OutOfMemory"],
    ["|re|", "|err(or)? \\d+|", "got error 500 here", "error 500"],
    ["%re%", "%fail(ed|ure)%", "authentication failure for bob", "failure"],
  ])("%s pattern fires with the matched text", (_name, pattern, line, matched) => {
    const engine = compileRules({ r: rule({ match: pattern }) }, clock());
    const [firing, ...rest] = engine.evaluate([rec("unrelated line"), rec(line)]);
    expect(rest).toEqual([]);
    expect(firing?.event).toMatchObject({
      kind: "match",
      rule: "r",
      source: "app",
      match: matched,
      count: 1,
      suppressed: 0,
    });
    expect(firing?.event.records.map((r) => r.line)).toEqual([line]);
  });

  it("treats a literal as case-sensitive and regex metacharacters in it as text", () => {
    const engine = compileRules({ r: rule({ match: "a.b(" }) }, clock());
    expect(engine.evaluate([rec("A.B("), rec("axb("), rec("xx a.b( yy")]).map((f) => f.event.records[0]?.line)).toEqual(
      ["xx a.b( yy"],
    );
  });

  it("fires on any pattern of a list", () => {
    const engine = compileRules({ r: rule({ match: ["alpha", "/beta\\d/"] }) }, clock());
    expect(engine.evaluate([rec("x alpha"), rec("beta"), rec("beta7")]).map((f) => f.event.match)).toEqual([
      "alpha",
      "beta7",
    ]);
  });

  it("without match fires on every line, the whole line being the match", () => {
    const engine = compileRules({ r: rule({}) }, clock());
    const firings = engine.evaluate([rec("one"), rec(""), rec("three")]);
    expect(firings.map((f) => f.event.match)).toEqual(["one", "", "three"]);
  });

  it("turns named groups into fields, merged over the record's fields", () => {
    const engine = compileRules({ r: rule({ match: "/user (?<user>\\w+) from (?<ip>[\\d.]+)/" }) }, clock());
    const record = rec("auth failed: user bob from 10.0.0.7", 0, "app", { user: "parsed", status: 401 });
    const [firing] = engine.evaluate([record]);
    expect(firing?.event.fields).toEqual({ user: "bob", ip: "10.0.0.7", status: 401 });
    expect(firing?.event.records[0]).toBe(record); // the record itself, untouched
    expect(record.fields).toEqual({ user: "parsed", status: 401 });
  });

  it("lets exclude patterns veto a match", () => {
    const engine = compileRules({ r: rule({ match: "error", exclude: ["/healthcheck/", "DEBUG"] }) }, clock());
    const firings = engine.evaluate([rec("error in /healthcheck"), rec("DEBUG error"), rec("error: disk full")]);
    expect(firings.map((f) => f.event.records[0]?.line)).toEqual(["error: disk full"]);
  });

  it("exclude applies to rules without match too", () => {
    const engine = compileRules({ r: rule({ exclude: "noise" }) }, clock());
    expect(engine.evaluate([rec("noise"), rec("signal")]).map((f) => f.event.match)).toEqual(["signal"]);
  });

  it("only considers records of the rule's sources", () => {
    const engine = compileRules({ r: rule({ source: ["app", "db"], match: "boom" }) }, clock());
    const firings = engine.evaluate([rec("boom", 0, "web"), rec("boom", 0, "db"), rec("boom", 0, "app")]);
    expect(firings.map((f) => f.event.source)).toEqual(["db", "app"]);
    expect(engine.rulesFor("db")).toEqual(["r"]);
    expect(engine.rulesFor("web")).toEqual([]);
  });

  it("uses the triggering record's time", () => {
    const engine = compileRules({ r: rule({ match: "x" }) }, clock());
    expect(engine.evaluate([rec("x", 12_345)])[0]?.event.time).toBe(T0 + 12_345);
  });
});

describe("threshold", () => {
  const storm = () => compileRules({ s: rule({ match: "fail", threshold: { count: 3, within: "1m" } }) }, clock());

  it("does not fire at N-1 matches and fires at N, carrying the N records", () => {
    const engine = storm();
    expect(engine.evaluate([rec("fail 1", 0), rec("ok", 1000), rec("fail 2", 2000)])).toEqual([]);
    const [firing, ...rest] = engine.evaluate([rec("fail 3", 3000)]);
    expect(rest).toEqual([]);
    expect(firing?.event).toMatchObject({
      kind: "threshold",
      rule: "s",
      count: 3,
      time: T0 + 3000,
      match: "fail",
      suppressed: 0,
    });
    expect(firing?.event.records.map((r) => r.line)).toEqual(["fail 1", "fail 2", "fail 3"]);
  });

  it("counts only matches within the window of each other: the window slides", () => {
    const engine = storm();
    // a too old for c
    expect(engine.evaluate([rec("fail a", 0), rec("fail b", 30_000), rec("fail c", 61_000)])).toEqual([]);
    const [firing] = engine.evaluate([rec("fail d", 70_000)]);
    expect(firing?.event.records.map((r) => r.line)).toEqual(["fail b", "fail c", "fail d"]);
  });

  it("fires when the matches span exactly the window", () => {
    const engine = storm();
    expect(engine.evaluate([rec("fail", 0), rec("fail", 30_000), rec("fail", 60_000)])).toHaveLength(1);
  });

  it("resets after firing: the next firing needs N new matches", () => {
    const engine = storm();
    expect(engine.evaluate([0, 1, 2].map((i) => rec("fail", i * 1000)))).toHaveLength(1);
    expect(engine.evaluate([rec("fail", 3000), rec("fail", 4000)])).toEqual([]);
    expect(engine.evaluate([rec("fail", 5000)])).toHaveLength(1);
    const many = engine.evaluate(Array.from({ length: 9 }, (_, i) => rec("fail", 6000 + i)));
    expect(many.map((f) => f.event.count)).toEqual([3, 3, 3]);
  });

  it("tolerates slightly out-of-order times", () => {
    const engine = storm();
    const firings = engine.evaluate([rec("fail", 10_000), rec("fail", 8_000), rec("fail", 9_000)]);
    expect(firings).toHaveLength(1);
    expect(firings[0]?.event.time).toBe(T0 + 9_000);
  });

  it("ignores a late line that falls outside the window of the newest", () => {
    const engine = storm();
    expect(engine.evaluate([rec("fail", 100_000), rec("fail", 100_500), rec("fail", 30_000)])).toEqual([]);
    expect(engine.evaluate([rec("fail", 101_000)])).toHaveLength(1);
  });

  it("starts over when the log's time jumps far back (an older file)", () => {
    const engine = storm();
    expect(engine.evaluate([rec("fail", 10 * 3_600_000), rec("fail", 10 * 3_600_000 + 1)])).toEqual([]);
    const firings = engine.evaluate([rec("fail", 0), rec("fail", 1), rec("fail", 2)]);
    expect(firings.map((f) => f.event.time)).toEqual([T0 + 2]);
  });

  it("takes a record without a valid time as happening now", () => {
    const c = clock();
    const engine = compileRules({ s: rule({ match: "fail", threshold: { count: 2, within: "10s" } }) }, c);
    const bad = { ...rec("fail"), time: Number.NaN };
    expect(engine.evaluate([bad])).toEqual([]);
    c.advance(60_000);
    expect(engine.evaluate([{ ...bad }])).toEqual([]); // a minute apart on the clock: no window
    const [firing] = engine.evaluate([rec("fail", 61_000)]);
    expect(firing?.event.time).toBe(T0 + 61_000);
    expect(firing?.event.count).toBe(2);
  });

  it("measures on the log's time, not the clock", () => {
    const c = clock();
    const engine = compileRules({ s: rule({ match: "fail", threshold: { count: 2, within: "10s" } }) }, c);
    expect(engine.evaluate([rec("fail", 0)])).toEqual([]);
    c.advance(3_600_000); // an hour of wall time changes nothing: the lines are 5 s apart
    expect(engine.evaluate([rec("fail", 5000)])).toHaveLength(1);
  });
});

describe("cooldown", () => {
  it("suppresses firings within the cooldown, then fires again carrying how many were swallowed", () => {
    const engine = compileRules({ r: rule({ match: "oom", cooldown: "10s" }) }, clock());
    const first = engine.evaluate([rec("oom 1", 0), rec("oom 2", 1000), rec("oom 3", 9_999)]);
    expect(first.map((f) => [f.event.records[0]?.line, f.event.suppressed])).toEqual([["oom 1", 0]]);
    const second = engine.evaluate([rec("oom 4", 10_000), rec("oom 5", 12_000)]);
    expect(second.map((f) => [f.event.records[0]?.line, f.event.suppressed])).toEqual([["oom 4", 2]]);
    const third = engine.evaluate([rec("oom 6", 30_000)]);
    expect(third.map((f) => [f.event.records[0]?.line, f.event.suppressed])).toEqual([["oom 6", 1]]);
  });

  it("falls back to the clock when the log's time goes backwards", () => {
    const c = clock();
    const engine = compileRules({ r: rule({ match: "oom", cooldown: "10s" }) }, c);
    expect(engine.evaluate([rec("oom", 60_000)])).toHaveLength(1);
    expect(engine.evaluate([rec("oom", 0)])).toEqual([]); // back in log time, no wall time passed
    c.advance(10_000);
    expect(engine.evaluate([rec("oom", 1000)]).map((f) => f.event.suppressed)).toEqual([1]);
  });

  it("counts the matches of swallowed threshold firings; the window keeps resetting", () => {
    const engine = compileRules(
      { r: rule({ match: "x", threshold: { count: 2, within: "1m" }, cooldown: "1m" }) },
      clock(),
    );
    const firings = engine.evaluate(
      [0, 1, 2, 3, 4, 5, 6].map((s) => rec("x", s * 1000)).concat([rec("x", 61_000), rec("x", 62_000)]),
    );
    expect(firings.map((f) => [f.event.time - T0, f.event.suppressed])).toEqual([
      [1000, 0],
      [61_000, 4], // the 6 s match and the 61 s one: 55 s apart
    ]);
  });

  it("does not delay other rules (reading never pauses)", () => {
    const engine = compileRules({ quiet: rule({ match: "x", cooldown: "1h" }), loud: rule({ match: "x" }) }, clock());
    const firings = engine.evaluate([rec("x", 0), rec("x", 1), rec("x", 2)]);
    expect(firings.map((f) => f.rule)).toEqual(["quiet", "loud", "loud", "loud"]);
  });
});

describe("several rules and actions", () => {
  it("fires every matching rule with all its actions, in line order", () => {
    const engine = compileRules(
      {
        oom: rule({ match: "/OutOfMemory|Killed process/", actions: ["restart", "ops"] }),
        all: rule({ actions: "archive" }),
        db: rule({ source: "db", match: "deadlock", actions: ["ops"] }),
      },
      clock(),
    );
    const firings = engine.evaluate([rec("Killed process 9"), rec("fine"), rec("deadlock found", 0, "db")]);
    expect(firings.map((f) => [f.rule, f.actions, f.event.records[0]?.line])).toEqual([
      ["oom", ["restart", "ops"], "Killed process 9"],
      ["all", ["archive"], "Killed process 9"],
      ["all", ["archive"], "fine"],
      ["db", ["ops"], "deadlock found"],
    ]);
    expect(engine.rulesFor("app")).toEqual(["oom", "all"]);
  });

  it("returns nothing for an empty batch or a batch of other sources", () => {
    const engine = compileRules({ r: rule({ match: "x" }) }, clock());
    expect(engine.evaluate([])).toEqual([]);
    expect(engine.evaluate([rec("x", 0, "other")])).toEqual([]);
  });

  it("throws PATTERN_INVALID for a bad regex that bypassed the schema", () => {
    const bad = { ...rule({}), match: ["/(/"] };
    expect(() => compileRules({ r: bad }, clock())).toThrow(expect.objectContaining({ code: "PATTERN_INVALID" }));
  });
});
