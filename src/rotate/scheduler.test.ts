// Rotation on real files: size and age triggers, byte-identical archives, modes and owners, both methods.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock, systemClock } from "../core/clock.js";
import { archiveName } from "./naming.js";
import { content, gunzipFile, job, list, scheduler, tempDir, waitFor } from "./testing/harness.js";

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

const isRoot = process.getuid?.() === 0;

describe("size trigger, method rename", () => {
  it("moves the file to its archive, byte for byte, and recreates it empty with the old mode and owner", async () => {
    const file = path.join(dir, "app.log");
    const data = content(5000);
    fs.writeFileSync(file, data);
    fs.chmodSync(file, 0o640);
    if (isRoot) fs.chownSync(file, 1234, 4321);
    const clock = new FakeClock();
    const plans = await scheduler({ app: job({ path: file, max_size: "4KiB" }) }, clock, state).runOnce({
      dryRun: false,
      force: false,
    });

    const archive = path.join(dir, archiveName("app.log", clock.now()));
    expect(plans).toMatchObject([{ job: "app", file, rotate: true, applied: true }]);
    expect(plans[0]?.reason).toContain("max_size");
    expect(fs.readFileSync(archive).equals(data)).toBe(true);
    expect(fs.statSync(file).size).toBe(0);
    expect(fs.statSync(file).mode & 0o7777).toBe(0o640);
    expect(fs.statSync(archive).mode & 0o7777).toBe(0o640);
    if (isRoot) expect([fs.statSync(file).uid, fs.statSync(file).gid]).toEqual([1234, 4321]);
    expect(list(dir)).toEqual([archive, file].map((p) => path.basename(p)).sort());
  });

  it("leaves a file under max_size alone and says why", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, content(100));
    const plans = await scheduler({ app: job({ path: file, max_size: "4KiB" }) }, new FakeClock(), state).runOnce({
      dryRun: false,
      force: false,
    });
    expect(plans[0]).toMatchObject({ rotate: false, actions: [] });
    expect(plans[0]?.reason).toContain("< max_size");
    expect(list(dir)).toEqual(["app.log"]);
  });

  it("compresses with streaming gzip: gunzip gives back exactly what was rotated, mode kept", async () => {
    const file = path.join(dir, "app.log");
    const data = content(3 * 1024 * 1024);
    fs.writeFileSync(file, data, { mode: 0o600 });
    const clock = new FakeClock();
    await scheduler(
      { app: job({ rotate_wait: 0, path: file, max_size: "1MiB", compress: true, compress_level: 1 }) },
      clock,
      state,
    ).runOnce({ dryRun: false, force: false });
    const gz = path.join(dir, archiveName("app.log", clock.now(), 0, true));
    expect(list(dir)).toEqual([path.basename(gz), "app.log"]);
    expect(gunzipFile(gz).equals(data)).toBe(true);
    expect(fs.statSync(gz).mode & 0o7777).toBe(0o600);
  });

  it(
    "puts archives in archive_dir (created, relative to the " + "file's folder) and adds -1, -2 within one second",
    async () => {
      const file = path.join(dir, "app.log");
      const clock = new FakeClock();
      const s = scheduler({ app: job({ path: file, archive_dir: "old", max_size: 5 }) }, clock, state);
      for (let i = 0; i < 3; i++) {
        fs.writeFileSync(file, `round ${i}\n`);
        await s.runOnce({ dryRun: false, force: false });
      }
      const names = [0, 1, 2].map((seq) => archiveName("app.log", clock.now(), seq));
      expect(list(path.join(dir, "old"))).toEqual([...names].sort());
      expect(fs.readFileSync(path.join(dir, "old", names[2] as string), "utf8")).toBe("round 2\n");
    },
  );

  it("with delay_compress leaves the newest archive plain and compresses it at the next rotation", async () => {
    const file = path.join(dir, "app.log");
    const clock = new FakeClock();
    const s = scheduler(
      { app: job({ rotate_wait: 0, path: file, max_size: 1, compress: true, delay_compress: true }) },
      clock,
      state,
    );
    fs.writeFileSync(file, "first\n");
    await s.runOnce({ dryRun: false, force: false });
    const first = archiveName("app.log", clock.now());
    expect(list(dir)).toEqual([first, "app.log"]);
    clock.advance(60_000);
    fs.writeFileSync(file, "second\n");
    await s.runOnce({ dryRun: false, force: false });
    const second = archiveName("app.log", clock.now());
    expect(list(dir)).toEqual([`${first}.gz`, "app.log", second].sort());
    expect(gunzipFile(path.join(dir, `${first}.gz`)).toString()).toBe("first\n");
  });
});

describe("age trigger", () => {
  it("rotates once the content is max_age old, then counts age from the rotation", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "old content\n");
    const clock = new FakeClock(Date.now());
    const s = scheduler({ app: job({ path: file, max_age: "1h" }) }, clock, state);
    expect((await s.runOnce({ dryRun: false, force: false }))[0]?.rotate).toBe(false);
    clock.advance(59 * 60_000);
    expect((await s.runOnce({ dryRun: false, force: false }))[0]?.rotate).toBe(false);
    clock.advance(2 * 60_000);
    const plans = await s.runOnce({ dryRun: false, force: false });
    expect(plans[0]).toMatchObject({ rotate: true, reason: expect.stringContaining("max_age") });
    fs.appendFileSync(file, "new content\n");
    clock.advance(30 * 60_000);
    expect((await s.runOnce({ dryRun: false, force: false }))[0]?.rotate).toBe(false);
    clock.advance(31 * 60_000);
    expect((await s.runOnce({ dryRun: false, force: false }))[0]?.rotate).toBe(true);
  });

  it("in the daemon, fires when max_age falls due without waiting for check_every", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "content\n");
    const clock = new FakeClock(Date.now());
    const s = scheduler({ app: job({ path: file, max_age: "10m", check_every: "1h" }) }, clock, state);
    await s.start();
    try {
      expect(list(dir)).toEqual(["app.log"]);
      clock.advance(10 * 60_000 + 1000);
      await waitFor(
        () => list(dir).some((n) => n.startsWith("app-")) && !list(dir).some((n) => n.endsWith("-lock")),
        "the age rotation",
      );
    } finally {
      await s.stop();
    }
  });
});

describe("copytruncate", () => {
  it(
    "copies then truncates the same file; the tailer is told before the " +
      "truncate and after it, with the copy beside the file",
    async () => {
      const file = path.join(dir, "app.log");
      const data = content(2000);
      fs.writeFileSync(file, data);
      const inode = fs.statSync(file).ino;
      const seen: { path: string; size: number; staged: boolean }[] = [];
      const clock = new FakeClock();
      const archive = path.join(dir, "archive", archiveName("app.log", clock.now()));
      const staged = path.join(dir, path.basename(archive));
      const beforeRelease = async (p: string): Promise<void> => {
        seen.push({ path: p, size: fs.statSync(p).size, staged: fs.existsSync(staged) });
        if (seen.length === 1) fs.appendFileSync(file, "written while the tailer finished\n");
      };
      const s = scheduler(
        { app: job({ path: file, archive_dir: "archive", max_size: 1000, method: "copytruncate" }) },
        clock,
        state,
        { beforeRelease },
      );
      await s.runOnce({ dryRun: false, force: false });
      // Before the truncate, and after it with the copy still beside the file (where a tailer finds it).
      expect(seen).toEqual([
        { path: file, size: 2000, staged: true },
        { path: file, size: 0, staged: true },
      ]);
      expect(list(dir)).toEqual(["app.log", "archive"]);
      expect(
        fs.readFileSync(archive).equals(Buffer.concat([data, Buffer.from("written while the tailer finished\n")])),
      ).toBe(true);
      expect(fs.statSync(file)).toMatchObject({ ino: inode, size: 0 });
    },
  );
});

describe("rename hand-over", () => {
  it(
    "calls afterRotate on the fresh file, runs post_rotate with " +
      "LOGWARD_ROTATED, then lets the tailer finish, then compresses",
    async () => {
      const file = path.join(dir, "app.log");
      fs.writeFileSync(file, `log line $(touch ${state}/pwned) \`touch ${state}/pwned\`\n`);
      const envOut = path.join(state, "env.txt");
      const calls: string[] = [];
      const clock = new FakeClock();
      const beforeRelease = async (p: string): Promise<void> => {
        calls.push(`release ${path.basename(p)} exists=${fs.existsSync(p)} env=${fs.existsSync(envOut)}`);
      };
      const afterRotate = async (p: string): Promise<void> => {
        calls.push(`after ${path.basename(p)} size=${fs.statSync(p).size} env=${fs.existsSync(envOut)}`);
      };
      const post = `printf '%s|%s|%s' "$LOGWARD_ROTATED" "$LOGWARD_FILE" "$LOGWARD_JOB" > ${envOut}`;
      const s = scheduler(
        { app: job({ rotate_wait: 0, path: file, max_size: 1, compress: true, post_rotate: post }) },
        clock,
        state,
        {
          beforeRelease,
          afterRotate,
        },
      );
      await s.runOnce({ dryRun: false, force: false });
      const archive = path.join(dir, archiveName("app.log", clock.now()));
      expect(fs.readFileSync(envOut, "utf8")).toBe(`${archive}|${file}|app`);
      // The fresh file is there for a writer in this process to reopen, before post_rotate and the tailer.
      expect(calls).toEqual([
        "after app.log size=0 env=false",
        `release ${path.basename(archive)} exists=true env=true`,
      ]);
      expect(list(dir)).toEqual([`${path.basename(archive)}.gz`, "app.log"]);
      expect(fs.existsSync(path.join(state, "pwned"))).toBe(false);
    },
  );
});

describe("fs.watch", () => {
  it("rotates soon after max_size is passed, long before check_every", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "small\n");
    const s = scheduler({ app: job({ path: file, max_size: 1000, check_every: "1h" }) }, systemClock, state);
    await s.start();
    try {
      expect(list(dir)).toEqual(["app.log"]);
      fs.appendFileSync(file, content(1500));
      await waitFor(
        () => list(dir).some((n) => n.startsWith("app-")) && !list(dir).some((n) => n.endsWith("-lock")),
        "the size rotation",
      );
      expect(fs.statSync(file).size).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
