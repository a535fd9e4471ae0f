import { describe, expect, it } from "vitest";
import { fileSourceSchema } from "./schema.js";

describe("file source schema", () => {
  it("fills the documented defaults", () => {
    expect(fileSourceSchema.parse({ path: "/var/log/app.log" })).toEqual({
      path: ["/var/log/app.log"],
      recursive: false,
      follow: "all",
      rescan: 10_000,
      start_at: "end",
      start_lines: 0,
      max_line_bytes: 1024 * 1024,
      rotate_wait: 5000,
      follow_symlinks: false,
    });
  });

  it("parses durations, sizes, lists and multiline", () => {
    const c = fileSourceSchema.parse({
      path: ["/a/*.log", "~/b"],
      exclude: "*.tmp",
      rescan: "60s",
      max_line_bytes: "64KiB",
      multiline: { start: "/^\\S/" },
    });
    expect(c).toMatchObject({
      path: ["/a/*.log", "~/b"],
      exclude: ["*.tmp"],
      rescan: 60_000,
      max_line_bytes: 65_536,
      multiline: { start: "/^\\S/", timeout: 1000 },
    });
  });

  it("rejects unknown keys, bad values and a rescan that would spin", () => {
    expect(fileSourceSchema.safeParse({ path: "/a", bogus: 1 }).success).toBe(false);
    expect(fileSourceSchema.safeParse({ path: "/a", follow: "oldest" }).success).toBe(false);
    expect(fileSourceSchema.safeParse({ path: "/a", rescan: 0 }).success).toBe(false);
    expect(fileSourceSchema.safeParse({ path: "/a", multiline: { start: "/(/" } }).success).toBe(false);
    expect(fileSourceSchema.safeParse({ path: "" }).success).toBe(false);
  });
});
