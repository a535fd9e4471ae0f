import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { quickStatsConfig, type StatsFlagInput } from "./flag-config.js";
import { statsJobSchema } from "./schema.js";

const durationText = fc.oneof(
  fc.constantFrom(
    "10s",
    "2m",
    "1s",
    "999ms",
    "1000ms",
    "0",
    "0s",
    "5",
    " 3 s ",
    "1.5s",
    "1h",
    "7d",
    "2w",
    "10x",
    "",
    "-1s",
    "1e3",
    "soon",
    "0.9999s",
    "9".repeat(400),
  ),
  fc.tuple(fc.nat({ max: 5000 }), fc.constantFrom("", "ms", "s", "m", "MS", "S")).map(([n, unit]) => `${n}${unit}`),
);
const input: fc.Arbitrary<StatsFlagInput> = fc.record({
  source: fc.constantFrom("access.log", "stdin", "", " "),
  format: fc.constantFrom("auto", "w3c-csv", "common", "combined", "json", "logfmt", "xml", "Combined", ""),
  interval: durationText,
  window: durationText,
  top: fc.oneof(fc.integer({ min: -3, max: 50 }), fc.double(), fc.constantFrom(2 ** 53, 2 ** 53 - 1, 0.5)),
  lateness: durationText,
  alert: fc.record({ above: fc.oneof(fc.double(), fc.constantFrom(0, -1, 10, 1e-9, 0.5)), over: durationText }),
});

describe("quickStatsConfig", () => {
  it("gives what statsJobSchema gives, and nothing exactly when the schema rejects the flags (property)", () => {
    fc.assert(
      fc.property(input, (flags) => {
        const quick = quickStatsConfig(flags);
        const parsed = statsJobSchema.safeParse(flags);
        if (!parsed.success) {
          expect(quick).toBeUndefined();
          return;
        }
        expect(JSON.stringify(quick)).toBe(JSON.stringify(parsed.data));
        expect(quick).toEqual(parsed.data);
      }),
      { numRuns: 5000 },
    );
  });

  it("takes the command's defaults without the schema", () => {
    const flags = {
      source: "access.log",
      format: "auto",
      interval: "10s",
      window: "2m",
      top: 10,
      lateness: "5s",
      alert: { above: 10, over: "2m" },
    };
    expect(quickStatsConfig(flags)).toEqual(statsJobSchema.parse(flags));
  });
});
