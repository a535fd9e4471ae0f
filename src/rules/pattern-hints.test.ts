import { describe, expect, test } from "vitest";
import { patternHints } from "./pattern-hints.js";
import type { RuleConfig } from "./schema.js";

const rule = (match: string[], exclude?: string[]): RuleConfig => ({
  source: ["app"],
  match,
  ...(exclude ? { exclude } : {}),
  cooldown: 0,
  actions: ["a"],
});

describe("patternHints", () => {
  test("names each rule pattern with nested quantifiers, and says whether it can fall back to linear time", () => {
    const hints = patternHints({
      ok: rule(["ERROR", "/timeout \\d+s/"]),
      nested: rule(["/^(\\w+\\s?)*$/"]),
      stuck: rule(["OOM"], ["/(a+)+$/i"]),
    });
    expect(hints).toHaveLength(2);
    expect(hints[0]).toMatch(/^rule nested: pattern \/\^\(\\w\+\\s\?\)\*\$\/ nests quantifiers .* linear-time engine/);
    expect(hints[1]).toMatch(/^rule stuck: pattern \/\(a\+\)\+\$\/i .* cannot fall back to linear time/);
  });
});
