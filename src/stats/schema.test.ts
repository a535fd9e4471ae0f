import { describe, expect, it } from "vitest";
import { statsJobSchema } from "./schema.js";

describe("stats job schema", () => {
  it("fills defaults: auto format, 10s interval, 2m window, 5s lateness", () => {
    expect(statsJobSchema.parse({ source: "access" })).toEqual({
      source: "access",
      format: { type: "auto" },
      interval: 10_000,
      top: 10,
      window: 120_000,
      lateness: 5_000,
      top_capacity: 1000,
      history: 360,
    });
  });

  it("takes a format name or an object with field-name options", () => {
    expect(statsJobSchema.parse({ source: "a", format: "combined" }).format).toEqual({ type: "combined" });
    expect(statsJobSchema.parse({ source: "a", format: { type: "json", time_field: "ts" } }).format).toEqual({
      type: "json",
      time_field: "ts",
    });
    expect(statsJobSchema.parse({ source: "a", alert: { above: 10 } }).alert).toEqual({ above: 10, over: 120_000 });
  });

  it.each([
    [{ interval: "500ms" }, "interval"],
    [{ window: 0 }, "window"],
    [{ format: "xml" }, "format"],
    [{ format: { type: "json", nope: 1 } }, "format"],
    [{ alert: { above: 0 } }, "alert.above"],
    [{ lateness: "soon" }, "lateness"],
    [{ colour: "red" }, ""],
  ])("rejects %j", (extra, path) => {
    const result = statsJobSchema.safeParse({ source: "a", ...extra });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});
