// The pipeline evaluates a batch a slice at a time: every event still comes once, in line order, with its
// threshold windows spanning slices, and the checkpoint reaches the end only once everything is written.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.js";
import { MemoryCheckpointStore } from "../core/checkpoint.js";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { validateConfig } from "../config/load.js";
import { tempDir } from "../../test/helpers.js";
import { Pipeline } from "./pipeline.js";
import { loadConfiguredKinds } from "./run.js";

interface Wire {
  rule: string;
  line: string;
  offset: number;
}

/** Run the lines once through a match rule and a threshold rule into a file; the file's lines and checkpoints. */
async function runOnce(lines: string[], count: number) {
  const { dir, cleanup } = tempDir();
  try {
    const log = join(dir, "app.log");
    writeFileSync(log, lines.map((l) => `${l}\n`).join(""));
    const config = validateConfig({
      state_dir: join(dir, "state"),
      sources: { app: { path: log, start_at: "beginning" } },
      rules: {
        fail: { source: "app", match: "fail", actions: ["out"] },
        storm: { source: "app", match: "fail", threshold: { count, within: "1h" }, actions: ["out"] },
      },
      actions: { out: { type: "file", path: join(dir, "out.ndjson") } },
    });
    await loadConfiguredKinds(config);
    const checkpoints = new MemoryCheckpointStore();
    const common = { clock: systemClock, logger: silentLogger, metrics: new Metrics(), stateDir: config.state_dir };
    const pipeline = new Pipeline(config, { ...common, checkpoints, once: true });
    await pipeline.start();
    await pipeline.caughtUp();
    await pipeline.drain(30_000);
    const outFile = join(dir, "out.ndjson");
    const out = existsSync(outFile) ? readFileSync(outFile, "utf8") : ""; // no event, no file
    const written = out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Wire);
    const offsets = [...checkpoints.list("app").values()].map((c) => c.offset);
    return { written, offsets, size: statSync(log).size };
  } finally {
    cleanup();
  }
}

describe("pipeline slices", () => {
  it("sends every match once in line order and fills thresholds across slices, as one pass would", async () => {
    // Batches of thousands of lines (past several slices), matches dense or sparse, windows of any size.
    const line = fc.oneof(
      fc.constantFrom("auth fail", "ordinary", "x".repeat(300), "fail fail", "é fail ✓"),
      fc.string({ maxLength: 30 }).map((s) => s.replace(/[\n\r]/g, " ")),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 6000, size: "max" }),
        fc.integer({ min: 1, max: 700 }),
        async (lines, count) => {
          const { written, offsets, size } = await runOnce(lines, count);
          // The reference: offsets of the lines holding "fail", in order; a window of `count` fires and restarts.
          const starts: number[] = [];
          let at = 0;
          for (const l of lines) {
            starts.push(at);
            at += Buffer.byteLength(l) + 1;
          }
          const fails = lines.flatMap((l, i) => (l.includes("fail") ? [i] : []));
          const expected: Wire[] = [];
          let window: number[] = [];
          for (const i of fails) {
            const matchLine = { rule: "fail", line: lines[i]!, offset: starts[i]! };
            expected.push(matchLine);
            window.push(i);
            if (window.length === count) {
              for (const j of window) expected.push({ rule: "storm", line: lines[j]!, offset: starts[j]! });
              window = [];
            }
          }
          expect(written.map((w) => ({ rule: w.rule, line: w.line, offset: w.offset }))).toEqual(expected);
          expect(Math.max(...offsets)).toBe(size); // everything written: the checkpoint is at the end
        },
      ),
      { numRuns: 12, seed: 16 },
    );
  }, 120_000);
});
