// rotate_wait: a renamed file is left alone (not compressed, moved or expired) until it has been quiet that long;
// the plan says so with a `wait` step, retention never deletes it, and the daemon comes back when it is due.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { gzipSync } from "node:zlib";
import { archiveName } from "./naming.js";
import { buildActions, scanFile } from "./plan.js";
import { gunzipFile, job, list, scheduler, tempDir, waitFor } from "./testing/harness.js";

const DAY = 86_400_000;
let dir: string;
let state: string;
beforeEach(() => {
  dir = tempDir();
  state = tempDir("logward-state-");
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

const steps = (actions: { kind: string; path: string }[]): string[] =>
  actions.map((a) => `${a.kind} ${path.relative(dir, a.path)}`);

describe("buildActions with holds", () => {
  it("a held archive gets one wait step instead of its compression, move and expiry; the others go on", async () => {
    const now = Date.now();
    const held = archiveName("app.log", now - 40 * DAY);
    const stranded = archiveName("app.log", now - 39 * DAY);
    const free = archiveName("app.log", now - 38 * DAY);
    fs.mkdirSync(path.join(dir, "archive"));
    fs.writeFileSync(path.join(dir, "archive", held), "held\n");
    fs.writeFileSync(path.join(dir, "archive", `${held}.gz`), "an interrupted compression\n");
    fs.writeFileSync(path.join(dir, "archive", free), "free\n");
    fs.writeFileSync(path.join(dir, stranded), "stranded\n");
    const scan = await scanFile(path.join(dir, "app.log"), path.join(dir, "archive"));
    const j = job({ path: path.join(dir, "app.log"), archive_dir: "archive", compress: true, keep_days: 30 });
    const holds = new Map([
      [held, "held open for writing by pid 1 (x)"],
      [stranded, "written 1s ago"],
    ]);
    const { actions } = buildActions(j, scan, undefined, now, false, holds);
    expect(steps(actions)).toEqual([
      `wait ${stranded}`,
      `wait archive/${held}`,
      `delete archive/${free}`, // expired and free: retention goes on around the held ones
    ]);
    expect(actions[1]?.reason).toBe("held open for writing by pid 1 (x)");
    const without = buildActions(j, scan, undefined, now, false).actions;
    expect(steps(without)).toEqual([
      `move ${stranded}`,
      `cleanup archive/${held}`,
      `delete archive/${free}`,
      `delete archive/${stranded}`,
      `delete archive/${held}.gz`,
    ]);
  });

  it(
    "plans a wait for the file it renames when rotate_wait is " + "set; copytruncate's copy is compressed at once",
    async () => {
      const file = path.join(dir, "app.log");
      fs.writeFileSync(file, "x".repeat(100));
      const scan = await scanFile(file, dir);
      const now = Date.now();
      const fresh = archiveName("app.log", now);
      const facts = { size: 100, contentSince: now - DAY };
      const rename = buildActions(job({ path: file, max_size: 1, compress: true }), scan, facts, now, false);
      expect(steps(rename.actions)).toEqual(["rotate app.log", `wait ${fresh}`]);
      expect(rename.actions[1]?.reason).toBe(
        "just renamed; kept until quiet for rotate_wait 30s, as its writer may go on",
      );
      const copy = job({ path: file, max_size: 1, compress: true, method: "copytruncate" });
      expect(steps(buildActions(copy, scan, facts, now, false).actions)).toEqual([
        "rotate app.log",
        `compress ${fresh}`,
      ]);
    },
  );
});

describe("rotate_wait in the daemon", () => {
  it(
    "keeps the renamed file until it has been quiet for " + "rotate_wait, then a timer due then compresses it",
    async () => {
      const clock = new FakeClock(Date.now()); // file times are real: start the fake clock at real time
      const file = path.join(dir, "app.log");
      fs.writeFileSync(file, "x".repeat(5000));
      const s = scheduler(
        { app: job({ path: file, max_size: 1000, compress: true, rotate_wait: "30s", check_every: "1h" }) },
        clock,
        state,
      );
      await s.start();
      const archive = archiveName("app.log", clock.now());
      expect(list(dir)).toEqual([archive, "app.log"]);
      const passes = async (): Promise<string[]> =>
        (await s.runOnce({ dryRun: false, force: false }))[0]?.actions.map((a) => a.kind) ?? [];
      clock.advance(15_000);
      expect(await passes()).toEqual(["wait"]);
      // A late line from a writer that kept the file open, written now on the test's clock.
      fs.appendFileSync(path.join(dir, archive), "a late line\n");
      fs.utimesSync(path.join(dir, archive), new Date(clock.now()), new Date(clock.now()));
      clock.advance(20_000); // 35s after the rename, but only 20s after that write
      expect(await passes()).toEqual(["wait"]);
      clock.advance(10_100); // 30s after the write: the sweep timer set for then runs the pass
      await waitFor(() => list(dir).includes(`${archive}.gz`), "the quiet file to be compressed");
      await s.stop();
      expect(list(dir)).toEqual([`${archive}.gz`, "app.log"]);
    },
  );
});

describe("a plain copy beside its complete .gz", () => {
  it("is compressed again when it grew after the .gz was made (a late writer), else dropped", async () => {
    const clock = new FakeClock();
    const grew = archiveName("app.log", clock.now() - 2 * DAY);
    const same = archiveName("app.log", clock.now() - DAY);
    fs.writeFileSync(path.join(dir, grew), "first\nlate line\n");
    fs.writeFileSync(path.join(dir, `${grew}.gz`), gzipSync("first\n"));
    fs.writeFileSync(path.join(dir, same), "whole\n");
    fs.writeFileSync(path.join(dir, `${same}.gz`), gzipSync("whole\n"));
    fs.writeFileSync(path.join(dir, "app.log"), "live\n");
    const j = job({ path: path.join(dir, "app.log"), max_size: "1MiB", compress: true, rotate_wait: 0 });
    await scheduler({ app: j }, clock, state).runOnce({ dryRun: false, force: false });
    expect(list(dir)).toEqual([`${grew}.gz`, `${same}.gz`, "app.log"].sort());
    expect(gunzipFile(path.join(dir, `${grew}.gz`)).toString()).toBe("first\nlate line\n");
    expect(gunzipFile(path.join(dir, `${same}.gz`)).toString()).toBe("whole\n");
  });
});
