// The bound on V8's new space (src/core/young-generation.ts) in real child processes, as built (dist/): it holds new
// space at the cap under heavy survivors, lets it grow back after V8 shrank it, stays out of a user's own sizing, and
// does no harm on a V8 that ignores the flag.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { childScript, ROOT } from "./helpers.js";

const MB = 2 ** 20;
const MODULE = join(ROOT, "dist", "core", "young-generation.js");

/**
 * Bounds new space as logward's start does, then allocates in steps that yield to the event loop (as logward's
 * reads do) and keep the last 20,000 pairs of small objects alive: the survivors that make V8 grow new space. `idle`
 * then drops them, has V8 collect as under memory pressure (which shrinks new space, as a daemon's idling does) and
 * allocates again. `stretches` first allocates in long synchronous stretches with one turn of the loop between them
 * (a start compiling many rules), then as in `burst`. `ignored` turns setFlagsFromString into a no-op: a V8 without
 * the flag. Each new-space figure is taken after a scavenge (V8 may run past its capacity between two).
 */
const CHILD = `
import v8 from "node:v8";
import inspector from "node:inspector";
import { boundYoungGeneration } from ${JSON.stringify(MODULE)};
const mode = process.argv[2];
if (mode === "ignored") v8.setFlagsFromString = () => {};
boundYoungGeneration();
const newSpace = () => {
  gc({ type: "minor" });
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  return { size: space.space_size, semi: space.space_used_size + space.space_available_size };
};
const ring = new Array(20_000);
let n = 0;
const burst = (steps) => new Promise((done) => {
  const step = () => {
    for (let k = 0; k < 20_000; k++) ring[n++ % ring.length] = [n, { n }];
    if (--steps > 0) setImmediate(step);
    else done();
  };
  step();
});
const out = { bounded: typeof globalThis[Symbol.for("logward.youngGeneration")] === "function" };
if (mode === "stretches")
  for (let stretch = 0; stretch < 4; stretch++) {
    for (let k = 0; k < 1_000_000; k++) ring[n++ % ring.length] = [n, { n }];
    await new Promise(setImmediate);
  }
await burst(150);
out.burst = newSpace();
if (mode === "idle") {
  ring.fill(undefined);
  const session = new inspector.Session();
  session.connect();
  await new Promise((done) => session.post("HeapProfiler.collectGarbage", done));
  session.disconnect();
  out.shrunk = newSpace();
  await burst(150);
  out.again = newSpace();
}
out.stillBounded = typeof globalThis[Symbol.for("logward.youngGeneration")] === "function";
console.log(JSON.stringify(out));
`;

interface Space {
  size: number;
  semi: number;
}
interface Report {
  bounded: boolean;
  stillBounded: boolean;
  burst: Space;
  shrunk?: Space;
  again?: Space;
}

describe("young generation bound (src/core/young-generation.ts)", () => {
  const script = childScript(MODULE, CHILD);

  const child = (mode: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Report => {
    const out = spawnSync(process.execPath, ["--expose-gc", ...nodeFlags, script, mode], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      timeout: 60_000,
    });
    expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as Report;
  };

  it.each([8, 16])("holds new space at a %i MB cap under heavy survivors, having grown it to there", (cap) => {
    const report = child("burst", { LOGWARD_YOUNG_GENERATION_MB: String(cap) });
    expect(report).toMatchObject({ bounded: true, stillBounded: true });
    expect(report.burst.size).toBeLessThanOrEqual(cap * MB);
    // Grown to the cap's last doubling, not held small: both semi-spaces together are more than half of it.
    expect(2 * report.burst.semi).toBeGreaterThan(cap * MB * 0.5);
  });

  it("keeps new space held through long synchronous stretches, such as a start compiling a thousand rules", () => {
    // Between two stretches the loop turns once: growth allowed then would double new space through the next.
    const report = child("stretches", { LOGWARD_YOUNG_GENERATION_MB: "8" });
    expect(report.burst.size).toBeLessThanOrEqual(8 * MB);
    expect(2 * report.burst.semi).toBeGreaterThan(4 * MB);
  });

  it("keeps it held through those stretches on a machine busy with other work", () => {
    // Two processes spinning on the 2 cores: V8 12+ then grows held new space a page at a time during a stretch,
    // which the bound must not take for a V8 without the flag (it once let go, and new space doubled to 64 MB).
    const hogs = [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;);"], { stdio: "ignore" }));
    try {
      for (let run = 0; run < 4; run++) {
        const report = child("stretches", { LOGWARD_YOUNG_GENERATION_MB: "8" });
        expect(report.stillBounded).toBe(true);
        expect(report.burst.size).toBeLessThanOrEqual(8 * MB);
      }
    } finally {
      for (const hog of hogs) hog.kill("SIGKILL");
    }
  }, 120_000);

  it("lets new space grow back to the cap, and no further, after V8 shrank it", () => {
    const report = child("idle", { LOGWARD_YOUNG_GENERATION_MB: "8" });
    expect(report.burst.size).toBeLessThanOrEqual(8 * MB);
    expect((report.shrunk as Space).semi).toBeLessThan(report.burst.semi / 2); // V8 did shrink it
    expect((report.again as Space).size).toBeLessThanOrEqual(8 * MB);
    expect(2 * (report.again as Space).semi).toBeGreaterThan(4 * MB);
  });

  it("leaves new space alone when the user sized it, on the command line or in NODE_OPTIONS, or turned it off", () => {
    // The same allocation unbounded: V8 grows new space past the cap (to 32 MB or more on Node 20 to 26).
    const grown = (report: Report) => {
      expect(report.bounded).toBe(false);
      expect(report.burst.size).toBeGreaterThan(8 * MB);
    };
    grown(child("burst", { LOGWARD_YOUNG_GENERATION_MB: "8" }, ["--max-semi-space-size=32"]));
    grown(child("burst", { LOGWARD_YOUNG_GENERATION_MB: "8", NODE_OPTIONS: "--max-semi-space-size=32" }));
    grown(child("burst", { LOGWARD_YOUNG_GENERATION_MB: "8" }, ["--semi_space_growth_factor=2"]));
    grown(child("burst", { LOGWARD_YOUNG_GENERATION_MB: "0" }));
  });

  it("does no harm on a V8 without the flag: new space grows as V8 wants, the process runs on", () => {
    // Not let go when new space grows while held: V8 12+ grows it a page at a time past the flag in long stretches
    // under load, and letting go then let it double to its maximum.
    const report = child("ignored", { LOGWARD_YOUNG_GENERATION_MB: "8" });
    expect(report).toMatchObject({ bounded: true, stillBounded: true });
    expect(report.burst.size).toBeGreaterThan(8 * MB);
  });
});
