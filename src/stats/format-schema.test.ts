// The stats job's `format` key: names, field-name options, and custom access formats reported at their key.
import { describe, expect, it } from "vitest";
import { statsJobSchema } from "./schema.js";

describe("stats job format", () => {
  it("takes a custom access format, and reports a bad one at access_format", () => {
    const good = statsJobSchema.parse({ source: "w", format: { type: "custom", access_format: "%h %>s" } });
    expect(good.format).toEqual({ type: "custom", access_format: "%h %>s" });
    const bad = statsJobSchema.safeParse({ source: "w", format: { type: "custom", access_format: "%h%>s" } });
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["format.access_format", expect.stringMatching(/nothing between them/)],
    ]);
    expect(statsJobSchema.parse({ source: "w", format: { type: "json", time_field: "t" } }).format).toEqual({
      type: "json",
      time_field: "t",
    });
    expect(statsJobSchema.parse({ source: "w", format: "custom" }).format).toEqual({ type: "custom" });
  });
});
