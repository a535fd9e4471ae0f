// SIGKILL right after a file was opened, read and rotated away, more rotations while down: the next run reads all.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, startLogward, tempDir, waitFor } from "./helpers.js";
import { readCheckpoints, readOutput } from "./torture.helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-crash-")));
afterEach(() => cleanup());

const built = fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"));

function keyOf(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

function write(file: string, prefix: string, from: number, to: number): void {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`${prefix} ${i} ${"x".repeat(i % 50)}`);
  fs.appendFileSync(file, lines.map((l) => l + "\n").join(""));
}

function ids(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
}

describe("file source: crash right after a new file is read and rotated", () => {
  it.skipIf(!built)(
    "the identity of every file with lines out is on disk at the kill; after a restart every line is delivered",
    async () => {
      const log = path.join(dir, "app.log");
      const state = path.join(dir, "state");
      const config = path.join(dir, "logward.yaml");
      fs.writeFileSync(
        config,
        [
          `state_dir: ${state}`,
          `sources: { app: { path: "${log}", rescan: 200ms, rotate_wait: 200ms } }`,
          "rules: { all: { source: app, actions: [out] } }",
          'actions: { out: { type: file, path: "${OUT}" } }',
        ].join("\n"),
      );
      const out = (run: number) => path.join(dir, `out-${run}.ndjson`);
      const want: string[] = [];
      const missing = (runs: number) => {
        const all = new Set(Array.from({ length: runs }, (_, r) => readOutput(out(r))).flat());
        return want.filter((id) => !all.has(id));
      };
      for (let run = 0; run < 4; run++) {
        const lw = startLogward(["run", "-c", config], { env: { OUT: out(run) } });
        await lw.waitForLog("logward running", 30_000);
        // The tail the last killed run left in the rotated file is read now.
        await waitFor(() => missing(run + 1).length === 0, `run ${run} reads what the killed run left`);
        if (run === 3) {
          await lw.stop();
          break;
        }
        // A new file: opened, read, delivered, then rotated at once (over one read before: `rotate 1`).
        const g = `r${run}`;
        write(log, g, 0, 2000);
        want.push(...ids(g, 0, 2000));
        await waitFor(() => readOutput(out(run)).includes(`${g} 0`), `first line of run ${run} delivered`);
        fs.renameSync(log, `${log}.1`);
        write(`${log}.1`, g, 2000, 3000); // the app writes on to its open (rotated) file
        want.push(...ids(g, 2000, 3000));
        lw.child.kill("SIGKILL");
        await lw.exited;
        // The invariant the restart relies on: the file had lines delivered, so its identity was saved first.
        expect(Object.keys(readCheckpoints(state)), `run ${run}`).toContain(keyOf(`${log}.1`));
        expect(missing(run + 1).length, `run ${run} was killed before it read everything`).toBeGreaterThan(0);
        // While it is down the app goes on: rotates again (a file the checkpoints never saw goes to app.log.1).
        fs.renameSync(`${log}.1`, `${log}.2`);
        write(log, `d${run}`, 0, 500);
        fs.renameSync(log, `${log}.1`);
        write(log, `e${run}`, 0, 10);
        want.push(...ids(`d${run}`, 0, 500), ...ids(`e${run}`, 0, 10));
      }
      expect(missing(4).slice(0, 5)).toEqual([]);
    },
    60_000,
  );
});
