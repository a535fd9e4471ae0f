// End to end: the demo behind `npm start` fires its exec rule and its threshold rule within seconds.
import { describe, expect, it } from "vitest";
import { startLogward, waitFor } from "./helpers.js";

describe("logward demo", () => {
  it("shows a threshold rule and an exec rule firing, then stops cleanly on SIGINT", async () => {
    const demo = startLogward(["demo"]);
    try {
      await waitFor(() => demo.stdout().includes("threshold reached: 5 matches"), "the threshold rule");
      await demo.waitForLog(/^demo: would restart myapp now \(rule restart-on-oom/);
      expect(demo.stdout()).not.toContain("an old line, written before logward started");
    } finally {
      expect(await demo.stop("SIGINT")).toBe(0);
    }
    expect(demo.logs().some((l) => l.msg === "logward stopped")).toBe(true);
  });
});
