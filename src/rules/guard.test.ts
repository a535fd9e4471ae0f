// guardPattern: a config pattern that can backtrack catastrophically gets a time budget per line; others are untouched.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { parsePattern } from "../core/pattern.js";
import type { LogRecord } from "../core/record.js";
import { compileRules } from "./engine.js";
import { guardPattern } from "./guard.js";

const hostile = `${"a".repeat(48)}!`; // exponential for (a+)+$ with a backtracking engine

describe("guardPattern", () => {
  it("leaves literals, plain regexes and patterns V8's linear fallback takes unchanged", () => {
    for (const text of ["error", "/fail(ed)? login/", "/(a+)+$/", "/^\\d+ \\w+$/i"]) {
      const pattern = parsePattern(text);
      expect(
        guardPattern(pattern, () => {}),
        text,
      ).toBe(pattern);
    }
  });

  it("stops a backtracking /i pattern within its budget, says so, and still matches lines that match", () => {
    const timeouts: string[] = [];
    const guarded = guardPattern(parsePattern("/(?<run>(a+)+)b$/i"), (p) => timeouts.push(p), 50);
    const started = performance.now();
    expect(guarded.test(hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(timeouts).toEqual(["/(?<run>(a+)+)b$/i"]);
    expect(guarded.exec("xAAAb")).toMatchObject({ match: "AAAb", groups: { run: "AAA" } });
    expect(guarded.test("nothing here")).toBe(false);
    expect(timeouts).toHaveLength(1);
  });

  it("keeps everything else of the pattern: its text, kind, regex and literals (the prefilter reads them)", () => {
    const text = "/disk (?<w>(a+)+)\\k<w> full/";
    const pattern = parsePattern(text);
    const guarded = guardPattern(pattern, () => {});
    expect(guarded).not.toBe(pattern);
    const { source, kind, regex, required, requiredAny, prefilter, prefilterOptions } = pattern;
    expect({ source, kind, regex, required, requiredAny, prefilter, prefilterOptions }).toEqual({
      source: guarded.source,
      kind: guarded.kind,
      regex: guarded.regex,
      required: guarded.required,
      requiredAny: guarded.requiredAny,
      prefilter: guarded.prefilter,
      prefilterOptions: guarded.prefilterOptions,
    });
    expect(prefilter?.literals).toEqual(["disk a"]);
  });
});

describe("rules engine with a guarded pattern", () => {
  it("other rules and other lines of the batch are evaluated; the timeout names the rule", () => {
    const told: [string, string][] = [];
    const engine = compileRules(
      {
        risky: { source: ["app"], match: ["/(a+)+b$/i"], actions: ["x"], cooldown: 0 },
        plain: { source: ["app"], match: ["ERROR"], actions: ["x"], cooldown: 0 },
      },
      new FakeClock(),
      { onPatternTimeout: (rule, pattern) => told.push([rule, pattern]) },
    );
    const lines = [hostile, "ERROR disk full", "aaab", hostile];
    const records: LogRecord[] = lines.map((line, i) => ({ source: "app", line, offset: i, time: 0, fields: {} }));
    const fired = engine.evaluate(records).map((f) => [f.rule, f.event.records[0]?.line]);
    expect(fired).toEqual([
      ["plain", "ERROR disk full"],
      ["risky", "aaab"],
    ]);
    expect(told).toEqual([
      ["risky", "/(a+)+b$/i"],
      ["risky", "/(a+)+b$/i"],
    ]);
  });
});
