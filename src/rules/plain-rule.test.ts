// plainRule must give exactly what ruleSchema gives, or step aside: random rule-like values checked against zod.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainRule } from "./plain-rule.js";
import { ruleSchema } from "./schema.js";

/** Values of the kinds a config holds at each key, valid and not. */
const name = fc.oneof(fc.constantFrom("app", "web", "mail", ""), fc.string({ maxLength: 4 }));
const names = fc.oneof(name, fc.array(name, { maxLength: 3 }), fc.constant(null), fc.integer());
const pattern = fc.constantFrom(
  "error",
  "/err(or/",
  "/\\/api\\/user\\/0[0-9]* HTTP/",
  "/wp-admin|phpMyAdmin/i",
  "/(?P<ip>\\d+)/",
  "/a{2}/u",
  "/x/g",
  "",
  "/(?<x>a)(?<x>b)/",
  "|a|b||",
);
const patterns = fc.oneof(pattern, fc.array(pattern, { maxLength: 3 }), fc.constant(7), fc.constant([7]));
const durationValue = fc.oneof(
  fc.constantFrom("10s", "2m", "1.5h", "250ms", " 3 ", "x", "-1s", "", "7d", "1w"),
  fc.double({ noNaN: false }),
  fc.integer({ min: -5, max: 100 }),
  fc.constant(Infinity),
  fc.constant(null),
);
const count = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.constant(2 ** 60), fc.constant("3"));
const thresholdValue = fc.oneof(
  fc.record({ count, within: durationValue }, { requiredKeys: [] }),
  fc.record({ count, within: durationValue, extra: fc.constant(1) }),
  fc.constant([]),
  fc.constant(null),
);

const rule = fc.record(
  {
    source: names,
    match: patterns,
    exclude: patterns,
    threshold: thresholdValue,
    cooldown: durationValue,
    group_by: names,
    max_groups: count,
    absent: durationValue,
    actions: names,
    bogus: fc.constant(true),
    __proto__: fc.constant("x"),
    undefinedKey: fc.constant(undefined),
  },
  { requiredKeys: [] },
);
/** Mostly rules that should pass, so the fast path's output is compared often, not only its refusals. */
const likelyValid = fc.record(
  {
    source: fc.oneof(fc.constant("app"), fc.constant(["app", "web"])),
    match: fc.oneof(pattern, fc.array(pattern, { minLength: 1, maxLength: 2 })),
    exclude: fc.oneof(pattern, fc.array(pattern, { minLength: 1, maxLength: 2 })),
    threshold: fc.record({ count: fc.integer({ min: 1, max: 9 }), within: fc.constantFrom("10s", 5, 0.5) }),
    cooldown: fc.constantFrom("1m", 0, 2.5, "100ms"),
    group_by: fc.oneof(fc.constant("ip"), fc.constant(["ip", "path"])),
    max_groups: fc.integer({ min: 1, max: 1000 }),
    actions: fc.oneof(fc.constant("notify"), fc.constant(["notify", "file"])),
  },
  { requiredKeys: ["source", "actions"] },
);

describe("plainRule", () => {
  it("gives exactly ruleSchema's output (keys in order, fresh lists) or nothing", () => {
    let taken = 0;
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(rule, likelyValid, fc.anything()), (value) => {
        const fast = plainRule(value);
        const zod = ruleSchema.safeParse(value);
        if (zod.success) valid++;
        if (fast === undefined) return;
        taken++;
        expect(zod.success, JSON.stringify(value)).toBe(true);
        expect(fast).toStrictEqual(zod.data);
        expect(Object.keys(fast)).toEqual(Object.keys(zod.data as object));
        const input = value as Record<string, unknown>;
        for (const key of ["source", "match", "exclude", "group_by", "actions"] as const)
          if (Array.isArray(input[key])) expect(fast[key]).not.toBe(input[key]); // never the user's own array
      }),
      { numRuns: 4000, seed: 16 },
    );
    // The comparison ran on many values, and the fast path took nearly every valid one (not those with `absent`).
    expect(taken).toBeGreaterThan(300);
    expect(taken).toBeGreaterThan(valid * 0.9);
  });

  it("steps aside for `absent`, unknown keys, undefined values and anything not an object", () => {
    const base = { source: "app", actions: "notify" };
    expect(plainRule(base)).toEqual({ source: ["app"], cooldown: 0, actions: ["notify"] });
    expect(plainRule({ ...base, absent: "1m" })).toBeUndefined();
    expect(plainRule({ ...base, typo: 1 })).toBeUndefined();
    expect(plainRule({ ...base, match: undefined })).toBeUndefined();
    expect(plainRule({ ...base, match: "/bad(/" })).toBeUndefined();
    expect(plainRule(JSON.parse('{"source":"a","actions":"b","__proto__":{"x":1}}'))).toBeUndefined();
    for (const value of [null, [], "rule", 3, undefined]) expect(plainRule(value)).toBeUndefined();
  });
});
