// Folders and files someone else could plant: a linked or insecure archive_dir, a FIFO or link as the lock file,
// links named like archives. Rotation refuses them (the job is skipped, others run) and touches nothing behind them.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import { archiveName } from "../src/rotate/naming.js";
import { lockPathFor } from "../src/rotate/run.js";
import type { RotatePlan } from "../src/rotate/scheduler.js";
import { content, job, list, scheduler, snapshot, tempDir } from "../src/rotate/testing/harness.js";
import { runLogward } from "./helpers.js";

const DAY = 86_400_000;
let dir: string;
let outside: string;
let state: string;
beforeEach(() => {
  dir = tempDir("logward-rotate-safety-");
  outside = tempDir("logward-outside-");
  state = tempDir("logward-state-");
});
afterEach(() => {
  for (const d of [dir, outside, state]) fs.rmSync(d, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

/** A folder an attacker would like logward to write into and expire: archive-looking files and others. */
function seedOutside(clock: FakeClock): void {
  fs.writeFileSync(path.join(outside, archiveName("app.log", clock.now() - 400 * DAY, 0, true)), "not yours\n");
  fs.writeFileSync(path.join(outside, archiveName("app.log", clock.now() - 2 * DAY)), "not yours either\n");
  fs.writeFileSync(path.join(outside, "passwd"), "root:x:0:0\n");
}

/** One pass of two jobs: `app` into archiveDir, and an unrelated safe job that must run whatever happens to app. */
async function runJobs(clock: FakeClock, archiveDir: string): Promise<RotatePlan[]> {
  fs.writeFileSync(path.join(dir, "app.log"), content(5000));
  fs.mkdirSync(path.join(dir, "other"), { recursive: true });
  fs.writeFileSync(path.join(dir, "other", "other.log"), content(5000));
  const common = { max_size: 1000, compress: true, keep: 1, rotate_wait: 0 };
  const jobs = {
    app: job({ path: path.join(dir, "app.log"), archive_dir: archiveDir, ...common }),
    other: job({ path: path.join(dir, "other", "other.log"), ...common, keep: 5 }),
  };
  return scheduler(jobs, clock, state).runOnce({ dryRun: false, force: false });
}

describe("archive_dir someone else could redirect", () => {
  it("a planted link as archive_dir: refused with ROTATE_UNSAFE_DIR, the target untouched, other jobs run", async () => {
    const clock = new FakeClock();
    seedOutside(clock);
    fs.symlinkSync(outside, path.join(dir, "old"));
    const before = snapshot(outside);
    const dry = await scheduler(
      { app: job({ path: path.join(dir, "app.log"), archive_dir: "old", max_size: 1 }) },
      clock,
      state,
    ).runOnce({ dryRun: true, force: false });
    const real = await runJobs(clock, "old");
    for (const app of [dry[0], real.find((p) => p.job === "app")]) {
      expect(app?.error).toMatch(/^archive folder \S+\/old is a symbolic link \(to \S+\).*\(ROTATE_UNSAFE_DIR\)$/);
      expect(app?.actions).toEqual([]);
    }
    expect(snapshot(outside)).toEqual(before);
    expect(fs.statSync(path.join(dir, "app.log")).size).toBe(5000); // not rotated
    expect(real.find((p) => p.job === "other")).toMatchObject({ rotate: true });
    expect(real.find((p) => p.job === "other")?.error).toBeUndefined();
    expect(list(path.join(dir, "other"))).toEqual([archiveName("other.log", clock.now(), 0, true), "other.log"]);
  });

  it.each([
    ["world-writable", "refused", 0o777, 0],
    ["group-writable (a group other than root's)", "refused", 0o775, 1234],
    ["group-writable by the root group only", "used", 0o775, 0],
    ["world-writable with the sticky bit (like /tmp)", "used", 0o1777, 0],
    ["private", "used", 0o700, 0],
  ])("a %s archive folder is %s", async (_what, verdict, mode, gid) => {
    const refused = verdict === "refused";
    const clock = new FakeClock();
    const archive = path.join(dir, "archive");
    fs.mkdirSync(archive);
    fs.chmodSync(archive, mode);
    if (gid !== 0) {
      if (!isRoot) return; // cannot give a folder away without root; the world-writable case covers the check
      fs.chownSync(archive, 0, gid);
    }
    fs.writeFileSync(path.join(archive, archiveName("app.log", clock.now() - 400 * DAY, 0, true)), "old\n");
    const before = snapshot(archive);
    const app = (await runJobs(clock, archive)).find((p) => p.job === "app");
    if (refused) {
      expect(app?.error).toContain(
        `archive folder ${archive} has insecure permissions (mode 0${(mode & 0o777).toString(8)}`,
      );
      expect(app?.error).toContain("(ROTATE_UNSAFE_DIR)");
      expect(snapshot(archive)).toEqual(before);
    } else {
      expect(app?.error).toBeUndefined();
      expect(list(archive)).toEqual([archiveName("app.log", clock.now(), 0, true)]); // rotated; the old one expired
    }
  });

  it.skipIf(!isRoot)("run as root, an archive folder owned by another user is refused", async () => {
    const clock = new FakeClock();
    const archive = path.join(dir, "archive");
    fs.mkdirSync(archive, { mode: 0o755 });
    fs.chownSync(archive, 1234, 1234);
    const app = (await runJobs(clock, archive)).find((p) => p.job === "app");
    expect(app?.error).toContain(`archive folder ${archive} is owned by uid 1234 while logward runs as root`);
    expect(list(archive)).toEqual([]);
  });

  it("creates a missing archive folder not writable by others, whatever the umask", async () => {
    const old = process.umask(0o000);
    try {
      const archive = path.join(dir, "new", "archive");
      const app = (await runJobs(new FakeClock(), archive)).find((p) => p.job === "app");
      expect(app?.error).toBeUndefined();
      expect(fs.statSync(archive).mode & 0o777).toBe(0o755);
    } finally {
      process.umask(old);
    }
  });
});

describe("links and other files named like archives inside archive_dir", () => {
  it("are never followed, compressed or deleted, even when retention would expire them", async () => {
    const clock = new FakeClock();
    const archive = path.join(dir, "archive");
    fs.mkdirSync(archive);
    seedOutside(clock);
    const before = snapshot(outside);
    const plainLink = archiveName("app.log", clock.now() - 3 * DAY);
    const gzLink = archiveName("app.log", clock.now() - 500 * DAY, 0, true);
    fs.symlinkSync(path.join(outside, "passwd"), path.join(archive, plainLink));
    fs.symlinkSync(
      path.join(outside, archiveName("app.log", clock.now() - 400 * DAY, 0, true)),
      path.join(archive, gzLink),
    );
    const fifo = archiveName("app.log", clock.now() - 600 * DAY);
    execFileSync("mkfifo", [path.join(archive, fifo)]);
    const app = (await runJobs(clock, archive)).find((p) => p.job === "app");
    expect(app?.error).toBeUndefined();
    expect(list(archive)).toEqual([archiveName("app.log", clock.now(), 0, true), fifo, gzLink, plainLink].sort());
    expect(fs.lstatSync(path.join(archive, plainLink)).isSymbolicLink()).toBe(true);
    expect(snapshot(outside)).toEqual(before);
  });
});

describe("the lock file", () => {
  it("a FIFO planted as the lock file: `logward rotate` fails fast with a clear error, the file untouched", async () => {
    const log = path.join(dir, "app.log");
    fs.writeFileSync(log, content(5000));
    execFileSync("mkfifo", [lockPathFor(dir, log)]);
    const config = path.join(dir, "logward.yaml");
    fs.writeFileSync(config, `state_dir: ${state}\nrotate:\n  app: { path: ${log}, max_size: 1KiB }\n`);
    const started = Date.now();
    const result = await runLogward(["rotate", "-c", config]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error: lock file ${lockPathFor(dir, log)} is not a regular file (a FIFO, socket or device?): ` +
        "remove it to rotate this file (ROTATE_LOCK_INVALID)",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.statSync(log).size).toBe(5000);
  }, 30_000);

  it("a link planted as the lock file is refused, and its target is not written", async () => {
    const log = path.join(dir, "app.log");
    fs.writeFileSync(log, content(5000));
    const target = path.join(outside, "target");
    fs.writeFileSync(target, "precious\n");
    fs.symlinkSync(target, lockPathFor(dir, log));
    const plans = await scheduler({ app: job({ path: log, max_size: 1 }) }, new FakeClock(), state).runOnce({
      dryRun: false,
      force: false,
    });
    expect(plans[0]?.error).toMatch(/lock file \S+ is a symbolic link: .*\(ROTATE_LOCK_INVALID\)/);
    expect(fs.readFileSync(target, "utf8")).toBe("precious\n");
    expect(fs.statSync(log).size).toBe(5000);
  });
});
