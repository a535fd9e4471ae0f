// expandHome: only a leading `~` or `~/` is the home directory.
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expandHome } from "./paths.js";

describe("expandHome", () => {
  it("expands ~ and ~/x against $HOME, or the account's home without one", () => {
    expect(expandHome("~", { HOME: "/h" })).toBe("/h");
    expect(expandHome("~/logs/a.log", { HOME: "/h" })).toBe("/h/logs/a.log");
    expect(expandHome("~/a", {})).toBe(path.join(os.homedir(), "a"));
  });

  it("leaves every other path alone", () => {
    for (const p of ["/var/~/a", "~user/a", "a/~", "relative", "", "~~/a"])
      expect(expandHome(p, { HOME: "/h" })).toBe(p);
  });
});
