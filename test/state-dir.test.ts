// A state_dir that cannot be made (here under /proc, where Node's own recursive mkdir never returns) is a clear error.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-state-dir-")));
afterEach(() => cleanup());

it("run --once with a state dir that cannot be made exits 1 naming it, at once and without a stack trace", async () => {
  writeFileSync(join(dir, "app.log"), "x\n");
  writeFileSync(join(dir, "logward.yaml"), `sources: { app: { path: ${dir}/app.log } }\n`);
  const started = performance.now();
  const r = await runLogward(["--state-dir", "/proc/logward-nope", "run", "-c", join(dir, "logward.yaml"), "--once"]);
  expect(performance.now() - started).toBeLessThan(10_000);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("/proc/logward-nope");
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
