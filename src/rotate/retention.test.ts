// Retention and safety on real folders: only a job's own archives expire, dry runs change nothing,
// locks keep two runs apart, crash leftovers are recovered, links are never followed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { archiveName } from "./naming.js";
import { content, gunzipFile, job, list, scheduler, snapshot, tempDir } from "./testing/harness.js";

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

/** Files that merely look related: retention must never touch them. */
const BYSTANDERS = [
  "app.log.1",
  "notes.txt",
  "other-20200101-000000.log.gz",
  "app-20200101-000000.log.bak",
  "app-20200101.log.gz",
  "xapp-20200101-000000.log.gz",
];

function seed(clock: FakeClock, daysAgo: number[]): string[] {
  for (const name of BYSTANDERS) fs.writeFileSync(path.join(dir, name), `bystander ${name}\n`);
  return daysAgo.map((d) => {
    const name = archiveName("app.log", clock.now() - d * DAY, 0, true);
    fs.writeFileSync(path.join(dir, name), gzipSync(`archive from ${d} days ago\n`));
    return name;
  });
}

describe("retention", () => {
  it("keeps the newest `keep` archives (the new one included) and nothing else is touched", async () => {
    const clock = new FakeClock();
    const old = seed(clock, [1, 2, 3, 4]);
    fs.writeFileSync(path.join(dir, "app.log"), "current\n");
    const plans = await scheduler(
      { app: job({ rotate_wait: 0, path: path.join(dir, "app.log"), max_size: 1, compress: true, keep: 2 }) },
      clock,
      state,
    ).runOnce({ dryRun: false, force: false });
    const fresh = archiveName("app.log", clock.now(), 0, true);
    expect(list(dir)).toEqual([...BYSTANDERS, "app.log", fresh, old[0] as string].sort());
    expect(plans[0]?.actions.filter((a) => a.kind === "delete").map((a) => path.basename(a.path))).toEqual(
      old.slice(1),
    );
    for (const name of BYSTANDERS) expect(fs.readFileSync(path.join(dir, name), "utf8")).toBe(`bystander ${name}\n`);
  });

  it("deletes archives older than keep_days, even when the file does not rotate", async () => {
    const clock = new FakeClock();
    const old = seed(clock, [5, 29, 31, 400]);
    fs.writeFileSync(path.join(dir, "app.log"), "current\n");
    await scheduler(
      { app: job({ path: path.join(dir, "app.log"), max_size: "1MiB", keep_days: 30 }) },
      clock,
      state,
    ).runOnce({ dryRun: false, force: false });
    expect(list(dir)).toEqual([...BYSTANDERS, "app.log", old[0] as string, old[1] as string].sort());
  });

  it("never counts or deletes a link named like an archive", async () => {
    const clock = new FakeClock();
    const outside = tempDir("logward-outside-");
    try {
      fs.writeFileSync(path.join(outside, "precious"), "keep me\n");
      const linkName = archiveName("app.log", clock.now() - 100 * DAY, 0, true);
      fs.symlinkSync(path.join(outside, "precious"), path.join(dir, linkName));
      fs.writeFileSync(path.join(dir, "app.log"), "x\n");
      await scheduler(
        { app: job({ rotate_wait: 0, path: path.join(dir, "app.log"), max_size: 1, keep: 0, keep_days: 1 }) },
        clock,
        state,
      ).runOnce({ dryRun: false, force: false });
      expect(list(dir)).toEqual(["app.log", linkName].sort());
      expect(fs.readFileSync(path.join(outside, "precious"), "utf8")).toBe("keep me\n");
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("dry run", () => {
  it("plans moves, rotation, compressions and deletions with reasons, and changes nothing", async () => {
    const clock = new FakeClock();
    seed(clock, [1, 40]);
    fs.writeFileSync(path.join(dir, archiveName("app.log", clock.now() - 2 * DAY)), "plain archive\n");
    fs.writeFileSync(path.join(dir, "app.log"), content(5000));
    const jobs = {
      app: job({
        rotate_wait: 0,
        path: path.join(dir, "app.log"),
        archive_dir: "archive",
        max_size: 1000,
        compress: true,
        keep_days: 30,
      }),
    };
    const beforeDir = snapshot(dir);
    const beforeState = snapshot(state);
    const plans = await scheduler(jobs, clock, state).runOnce({ dryRun: true, force: false });
    expect(snapshot(dir)).toEqual(beforeDir);
    expect(snapshot(state)).toEqual(beforeState);
    expect(plans[0]).toMatchObject({ rotate: true, applied: false });
    const steps = plans[0]?.actions.map(
      (a) => `${a.kind} ${path.relative(dir, a.path)}${a.to ? ` -> ${path.relative(dir, a.to)}` : ""}`,
    );
    const day = (d: number, gz = true): string => archiveName("app.log", clock.now() - d * DAY, 0, gz);
    const fresh = archiveName("app.log", clock.now());
    expect(steps).toEqual([
      ...[day(40), day(2, false), day(1)].map((n) => `move ${n} -> archive/${n}`),
      `rotate app.log -> archive/${fresh}`,
      `compress archive/${fresh} -> archive/${fresh}.gz`,
      `compress archive/${day(2, false)} -> archive/${day(2, false)}.gz`,
      `delete archive/${day(40)}`,
    ]);
    expect(plans[0]?.actions.find((a) => a.kind === "rotate")?.reason).toContain("max_size");
    expect(plans[0]?.actions.find((a) => a.kind === "delete")?.reason).toContain("keep_days 30");
  });

  it("plans retention in the archive folder", async () => {
    const clock = new FakeClock();
    const old = seed(clock, [1, 40]);
    fs.writeFileSync(path.join(dir, "app.log"), "small\n");
    const before = snapshot(dir);
    const plans = await scheduler(
      { app: job({ path: path.join(dir, "app.log"), max_size: 1000, keep_days: 30 }) },
      clock,
      state,
    ).runOnce({ dryRun: true, force: false });
    expect(snapshot(dir)).toEqual(before);
    expect(plans[0]?.actions).toEqual([
      { kind: "delete", path: path.join(dir, old[1] as string), reason: expect.stringContaining("keep_days 30") },
    ]);
  });
});

describe("locking", () => {
  it("does not rotate a file another live process holds the lock of", async () => {
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      const file = path.join(dir, "app.log");
      fs.writeFileSync(file, content(2000));
      const lock = path.join(dir, ".app.log.logward-lock");
      fs.writeFileSync(lock, JSON.stringify({ pid: holder.pid, host: os.hostname(), time: Date.now() }));
      const plans = await scheduler({ app: job({ path: file, max_size: 1000 }) }, new FakeClock(), state).runOnce({
        dryRun: false,
        force: false,
      });
      expect(plans[0]?.reason).toContain(`locked by pid ${holder.pid}`);
      expect(list(dir)).toEqual([".app.log.logward-lock", "app.log"]);
      expect(fs.statSync(file).size).toBe(2000);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("two schedulers running at once rotate the file exactly once", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, content(2000));
    const jobs = { app: job({ rotate_wait: 0, path: file, max_size: 1000, compress: true }) };
    const [a, b] = await Promise.all([
      scheduler(jobs, new FakeClock(), state).runOnce({ dryRun: false, force: false }),
      scheduler(jobs, new FakeClock(), state).runOnce({ dryRun: false, force: false }),
    ]);
    expect([a[0]?.rotate, b[0]?.rotate].filter(Boolean)).toHaveLength(1);
    expect(list(dir)).toEqual([archiveName("app.log", new FakeClock().now(), 0, true), "app.log"]);
  });
});

describe("recovery after a crash", () => {
  it("removes temp files, drops a plain copy whose .gz is complete, compresses a plain archive", async () => {
    const clock = new FakeClock();
    const a = archiveName("app.log", clock.now() - 3 * DAY);
    const b = archiveName("app.log", clock.now() - 2 * DAY);
    fs.writeFileSync(path.join(dir, `${a}.gz.logward-tmp`), "half a gzip");
    fs.writeFileSync(path.join(dir, b), "b content\n");
    fs.writeFileSync(path.join(dir, `${b}.gz`), gzipSync("b content\n"));
    const c = archiveName("app.log", clock.now() - DAY);
    fs.writeFileSync(path.join(dir, c), "c content\n");
    fs.writeFileSync(path.join(dir, "app.log"), "live\n");
    const s = scheduler(
      { app: job({ rotate_wait: 0, path: path.join(dir, "app.log"), max_size: "1MiB", compress: true }) },
      clock,
      state,
    );
    await s.start();
    await s.stop();
    expect(list(dir)).toEqual([`${b}.gz`, `${c}.gz`, "app.log"].sort());
    expect(gunzipFile(path.join(dir, `${c}.gz`)).toString()).toBe("c content\n");
    expect(fs.readFileSync(path.join(dir, "app.log"), "utf8")).toBe("live\n");
  });
});

describe("files that are not plain, present files", () => {
  it("refuses to rotate through a symlink, leaving its target alone", async () => {
    const outside = tempDir("logward-outside-");
    try {
      fs.writeFileSync(path.join(outside, "target.log"), content(5000));
      fs.symlinkSync(path.join(outside, "target.log"), path.join(dir, "app.log"));
      const plans = await scheduler(
        { app: job({ path: path.join(dir, "app.log"), max_size: 1 }) },
        new FakeClock(),
        state,
      ).runOnce({ dryRun: false, force: true });
      expect(plans[0]).toMatchObject({ rotate: false, error: expect.stringContaining("symbolic link") });
      expect(list(outside)).toEqual(["target.log"]);
      expect(fs.statSync(path.join(outside, "target.log")).size).toBe(5000);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("reports a missing file unless missing_ok", async () => {
    const file = path.join(dir, "gone.log");
    const s = (missing_ok: boolean) =>
      scheduler({ app: job({ path: file, max_size: 1, missing_ok }) }, new FakeClock(), state);
    expect((await s(false).runOnce({ dryRun: false, force: false }))[0]?.error).toBe("file not found");
    expect((await s(true).runOnce({ dryRun: false, force: false }))[0]?.error).toBeUndefined();
    expect(
      (
        await scheduler({ g: job({ path: path.join(dir, "*.log"), max_size: 1 }) }, new FakeClock(), state).runOnce({
          dryRun: false,
          force: false,
        })
      )[0]?.error,
    ).toContain("no file matches");
  });

  it("rotates each file of a glob on its own, and never an archive again", async () => {
    fs.writeFileSync(path.join(dir, "a.log"), "aaaa\n");
    fs.writeFileSync(path.join(dir, "b.log"), "bbbb\n");
    const clock = new FakeClock();
    const s = scheduler({ g: job({ path: path.join(dir, "*.log"), max_size: 1 }) }, clock, state);
    expect((await s.runOnce({ dryRun: false, force: false })).map((p) => p.rotate)).toEqual([true, true]);
    expect((await s.runOnce({ dryRun: false, force: false })).map((p) => [path.basename(p.file), p.rotate])).toEqual([
      ["a.log", false],
      ["b.log", false],
    ]);
    expect(list(dir)).toEqual(
      [archiveName("a.log", clock.now()), "a.log", archiveName("b.log", clock.now()), "b.log"].sort(),
    );
  });
});

describe("archive_dir on another filesystem", () => {
  const shm = "/dev/shm";
  const otherFs = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(os.tmpdir()).dev;
  it.skipIf(!otherFs)(
    "copies, fsyncs and only then removes the rotated file (needs /dev/shm on another fs)",
    async () => {
      const archives = fs.mkdtempSync(path.join(shm, "logward-archive-"));
      try {
        const file = path.join(dir, "app.log");
        const data = content(300_000);
        fs.writeFileSync(file, data, { mode: 0o640 });
        const clock = new FakeClock();
        await scheduler(
          { app: job({ rotate_wait: 0, path: file, archive_dir: archives, max_size: 1, compress: true }) },
          clock,
          state,
        ).runOnce({ dryRun: false, force: false });
        const gz = path.join(archives, archiveName("app.log", clock.now(), 0, true));
        expect(list(archives)).toEqual([path.basename(gz)]);
        expect(gunzipFile(gz).equals(data)).toBe(true);
        expect(fs.statSync(gz).mode & 0o7777).toBe(0o640);
        expect(list(dir)).toEqual(["app.log"]);
      } finally {
        fs.rmSync(archives, { recursive: true, force: true });
      }
    },
  );
});
