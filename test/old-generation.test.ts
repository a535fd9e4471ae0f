// The bound on V8's old-generation growth (src/core/old-generation.ts) in real child processes, as built (dist/): a
// process that promotes much short-lived data carries far less of it, and a user's own setting is left alone.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { childScript, ROOT } from "./helpers.js";

const MODULE = join(ROOT, "dist", "core", "old-generation.js");

/**
 * 8 MB that lives for the whole run; then, round after round, 3 MB that outlives two scavenges (young garbage makes
 * them) and is dropped: promoted garbage, as a start compiling many rules makes. Prints the old space's peak.
 */
const CHILD = `
import v8 from "node:v8";
import { boundOldGeneration } from ${JSON.stringify(MODULE)};
boundOldGeneration();
const bounded = typeof globalThis[Symbol.for("logward.oldGeneration")] === "function";
const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_used_size;
const live = Array.from({ length: 100_000 }, (_, i) => ({ i, text: \`live \${i}\`.padEnd(40) }));
let peak = 0;
for (let round = 0; round < 25; round++) {
  const held = Array.from({ length: 30_000 }, (_, i) => ({ round, i, text: \`held \${i}\`.padEnd(40) }));
  for (let k = 0; k < 200_000; k++) void [k, { k }];
  await new Promise(setImmediate);
  peak = Math.max(peak, used());
  held.length = 0;
}
console.log(JSON.stringify({ bounded, peak, live: live.length }));
`;

interface Report {
  bounded: boolean;
  peak: number;
}

describe("old generation growth bound (src/core/old-generation.ts)", () => {
  const script = childScript(MODULE, CHILD);

  const child = (env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Report => {
    // One GC thread: when concurrent marking ends depends on the machine, and with it the peak.
    const out = spawnSync(process.execPath, ["--single-threaded-gc", ...nodeFlags, script], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      timeout: 60_000,
    });
    expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as Report;
  };

  it("collects promoted garbage sooner with a smaller growth: a lower old-space peak", () => {
    const tight = child({ LOGWARD_OLD_GENERATION_GROWTH_PERCENT: "25" });
    const wide = child({ LOGWARD_OLD_GENERATION_GROWTH_PERCENT: "400" });
    expect(tight.bounded).toBe(true);
    expect(wide.bounded).toBe(true);
    // Node 20: 40–42 MB against 55–56; Node 24: 47–52 against 103–111; Node 26: 47–50 against 73–74.
    expect(tight.peak).toBeLessThan(wide.peak * 0.85);
    expect(child({}).bounded).toBe(true);
    expect(child({ LOGWARD_OLD_GENERATION_GROWTH_PERCENT: "0" }).bounded).toBe(false);
  });

  it("leaves the growth to the user who set it on the command line (Node refuses it in NODE_OPTIONS)", () => {
    // The variable asks for 400 %: a process that took it over the user's 25 % would peak as high as `wide`.
    const wide = child({ LOGWARD_OLD_GENERATION_GROWTH_PERCENT: "400" });
    for (const flag of ["--heap-growing-percent=25", "--heap_growing_percent=25"]) {
      const report = child({ LOGWARD_OLD_GENERATION_GROWTH_PERCENT: "400" }, [flag]);
      expect(report.bounded).toBe(false);
      expect(report.peak).toBeLessThan(wide.peak * 0.85);
    }
  });
});
