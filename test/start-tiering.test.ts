// bin/start.cjs keeps TurboFan off while a run compiles its rules: it must come back on (for the matching), stay
// out of the user's own tier flags, and never change the flags the code cache is checked against.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./helpers.js";

/**
 * A child Node that limits tiering as start.cjs does, runs a hot function before and another after the lift (by
 * the symbol the bundle's startupCompiled calls), and prints whether TurboFan compiled each.
 */
const CHILD = `
const start = require(${JSON.stringify(join(ROOT, "bin", "start.cjs"))});
const lift = start.limitTiering(process);
const TURBOFANNED = 1 << 6; // V8's OptimizationStatus bit, the same in Node 20 and 24
// Two function literals, so that neither shares the other's feedback or code.
function before(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * 2; return s; }
function after(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * 3; return s; }
// Asked to optimise now (synchronously): V8 uses TurboFan unless it is off.
const warm = (f) => {
  const a = [1, 2, 3];
  %PrepareFunctionForOptimization(f);
  f(a);
  f(a);
  %OptimizeFunctionOnNextCall(f);
  f(a);
};
warm(before);
const lifter = globalThis[Symbol.for("logward.startupTiering")];
if (process.argv[2] === "lift" && lifter) lifter();
warm(after);
console.log(JSON.stringify({
  limited: typeof lifter === "function",
  before: (%GetOptimizationStatus(before) & TURBOFANNED) !== 0,
  after: (%GetOptimizationStatus(after) & TURBOFANNED) !== 0,
}));
lift(); lift(); // idempotent, as the exit handler and the bundle may both call it
`;

describe("start-up tiering (bin/start.cjs)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const script = join(tmp.dir, "child.cjs");
  writeFileSync(script, CHILD);
  const child = (args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const out = spawnSync(process.execPath, ["--allow-natives-syntax", ...nodeFlags, script, ...args], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      timeout: 60_000,
    });
    if (!nodeFlags.includes("--jitless") && !env.NODE_OPTIONS) expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as { limited: boolean; before: boolean; after: boolean };
  };

  it("keeps TurboFan off until lifted, and turns it back on for good", () => {
    expect(child(["lift"])).toEqual({ limited: true, before: false, after: true });
  });

  it("stays off without the lift (the 3 s fallback lifts it at the latest)", () => {
    expect(child([])).toEqual({ limited: true, before: false, after: false });
  });

  it("leaves a user's own tier flags alone, on the command line or in NODE_OPTIONS", () => {
    // --turbofan said outright: TurboFan runs from the start.
    expect(child(["lift"], ["--turbofan"])).toEqual({ limited: false, before: true, after: true });
    expect(child(["lift"], ["--max-opt=1"])).toEqual({ limited: false, before: false, after: false });
    // The user's own --no-turbofan is not undone by the lift.
    expect(child(["lift"], ["--no-turbofan"])).toEqual({ limited: false, before: false, after: false });
    expect(child(["lift"], [], { NODE_OPTIONS: "--jitless" })).toMatchObject({ limited: false });
  });
});
