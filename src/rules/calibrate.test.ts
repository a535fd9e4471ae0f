// The literal choice made on a source's first lines: the rarest set there, never a rejected match.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { compileRules } from "./engine.js";
import { Calibrator, countLines } from "./calibrate.js";
import { compileMatcher } from "./matcher.js";
import { rec, rule, T0 } from "./testing/records.js";

const CURL = 'GET /orders/66/items?from=robots HTTP/1.1" 200 12 "-" "curl/8.5.0"';
const ORDER = '"Mozilla/5.0 (compatible; bingbot/2.0)" GET /orders/66/items HTTP/1.1" 200 12';

describe("Calibrator", () => {
  it("keeps the set found in the fewest of the first lines, and the source waits unfiltered until then", () => {
    const engine = compileRules(
      { bots: rule({ match: ["/(?:Googlebot|bingbot).*orders\\/66\\//"] }), plain: rule({ match: ["timeout"] }) },
      new FakeClock(T0),
      { calibrationLines: 10 },
    );
    expect(engine.settled("app")).toBe(false);
    // The static guess: the URL piece (one needle, and no commoner in the byte table than the bot names).
    expect(engine.requiredFor("app")?.map((l) => l.text)).toEqual(["orders/66/", "timeout"]);
    const first = Array.from({ length: 10 }, (_, i) => rec(i === 9 ? ORDER : CURL));
    expect(engine.evaluate(first).map((f) => f.event.records[0]?.line)).toEqual([ORDER]);
    expect(engine.settled("app")).toBe(true);
    // Here the URL (and "bot", the names' common part) is everywhere, a bot name in one line: two needles win.
    expect(engine.requiredFor("app")?.map((l) => l.text)).toEqual(["Googlebot", "bingbot", "timeout"]);
    // Sources no rule with a choice reads are settled from the start.
    expect(engine.settled("db")).toBe(true);
    // Still exactly the matches, through the index built on the new choice.
    const later = [rec(CURL), rec(ORDER), rec("Googlebot without orders/66"), rec("a timeout")];
    expect(engine.evaluate(later).map((f) => f.rule)).toEqual(["bots", "plain"]);
  });

  it("anchors ^ at the line start, and a rule without a choice is settled at once", () => {
    const engine = compileRules({ ip: rule({ match: ["/^0\\.0\\.7/"] }) }, new FakeClock(T0));
    expect(engine.settled("app")).toBe(true);
    expect(engine.requiredFor("app")).toEqual([{ text: "\n0.0.7", fold: false }]);
    const lines = ["0.0.7.1 GET /", "1.2.3.4 Chrome/124.0.0.7 Safari", "10.0.0.7 x", "0.0.x"];
    const fired = engine.evaluate(lines.map((line) => rec(line)));
    expect(fired.map((f) => f.event.records[0]?.line)).toEqual(["0.0.7.1 GET /"]);
  });

  it("counts the lines holding each string, anchored ones only at a line start, folded ones in either case", () => {
    const lines = ["abc abc", "xabc", "ABC", "cab"];
    const counts = countLines(lines, [
      { literals: ["abc", "\nab", "\nca"], fold: false },
      { literals: ["abc"], fold: true },
    ]);
    expect(Object.fromEntries(counts)).toEqual({ "-abc": 2, "-\nab": 1, "-\nca": 1, iabc: 3 });
  });
});

describe("Calibrator with a sample that finds none of a rule's sets", () => {
  it("keeps the static guess among many rules: a cut-down set can only let more lines through", () => {
    const others = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`r${i}`, rule({ match: [`zz${i}q`] })]));
    const engine = compileRules(
      { ...others, orders: rule({ match: ['/\\/api\\/orders\\/6\\d\\/items HTTP\\/1\\.1" 404/'] }) },
      new FakeClock(T0),
      { calibrationLines: 10 },
    );
    engine.evaluate(Array.from({ length: 10 }, (_, i) => rec(`GET /home/${i} HTTP/1.1" 200 12`)));
    expect(engine.settled("app")).toBe(true);
    const texts = engine.requiredFor("app")?.map((l) => l.text) ?? [];
    expect(texts).toContain('/api/orders/60/items HTTP/1.1" 404');
    expect(texts).not.toContain('/items HTTP/1.1" 404');
  });
});

describe("Calibrator, once every source has chosen", () => {
  it("lets each rule drop its options (the literal analysis) only when all its sources have chosen", () => {
    const bots = {
      sources: new Set(["app", "web"]),
      matcher: compileMatcher(["/(?:Googlebot|bingbot).*orders\\/66\\//"], undefined),
    };
    const solo = { sources: new Set(["app"]), matcher: compileMatcher(["/(?:curl|wget).*orders\\/77\\//"], undefined) };
    expect(bots.matcher.options?.[0]?.length).toBeGreaterThan(1);
    expect(solo.matcher.options?.[0]?.length).toBeGreaterThan(1);
    const calibrator = new Calibrator([bots, solo], 2);
    calibrator.observe([rec(CURL), rec(ORDER)]);
    // "app" has chosen: solo is done, bots still reads "web".
    expect([calibrator.settled("app"), calibrator.settled("web"), calibrator.done]).toEqual([true, false, false]);
    expect(solo.matcher.options).toBeUndefined();
    expect(bots.matcher.options).toBeDefined();
    calibrator.observe([rec(ORDER, 0, "web"), rec(CURL, 0, "web")]);
    expect(calibrator.done).toBe(true);
    expect(bots.matcher.options).toBeUndefined();
    // What they chose stays: the prefilter literals are all they keep.
    expect(bots.matcher.required?.length).toBeGreaterThan(0);
    expect(bots.matcher.match(ORDER)).toBeDefined();
  });
});
