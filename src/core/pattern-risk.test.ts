import { describe, expect, test } from "vitest";
import { canRunLinear, enableLinearFallback, nestedQuantifier } from "./pattern-risk.js";

describe("nestedQuantifier", () => {
  test("finds a quantified group holding a quantifier", () => {
    expect(nestedQuantifier("(a+)+$")).toBe("(a+)+");
    expect(nestedQuantifier("^(\\w+\\s?)*$")).toBe("(\\w+\\s?)*");
    expect(nestedQuantifier("x(?:(?:ab)*c)+y")).toBe("(?:(?:ab)*c)+");
    expect(nestedQuantifier("(.*a){12}")).toBe("(.*a){12}");
    expect(nestedQuantifier("((a|b)+)+")).toBe("((a|b)+)+");
  });

  test("leaves ordinary patterns alone", () => {
    for (const ok of [
      "ERROR",
      "timeout \\d+s",
      "(\\d+)ms user=(\\w+)",
      "(a+)?",
      "(ab){2}x+",
      "[(a+)]+",
      "\\(a+\\)+",
      "(?<ip>\\d+\\.\\d+\\.\\d+\\.\\d+)",
      "(a+){1}",
    ]) {
      expect(nestedQuantifier(ok), ok).toBeUndefined();
    }
  });
});

describe("the linear-time fallback", () => {
  test("a catastrophic regex finishes on a hostile line; the engine refuses what it cannot run", () => {
    expect(enableLinearFallback()).toBe(true);
    const started = performance.now();
    // Exponential without the fallback: 2^5000 paths.
    expect(/(a+)+$/.test(`${"a".repeat(5000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(canRunLinear(/(a+)+$/)).toBe(true);
    expect(canRunLinear(/(a)\1/)).toBe(false);
    expect(canRunLinear(/a(?=b)/)).toBe(false);
    expect(canRunLinear(/(a+)+$/i)).toBe(false);
  });
});
