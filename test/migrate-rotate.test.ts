// The old rotation script's JSON config, unchanged, through `logward rotate -c`: its archives expire, its log file
// gets the record of the pass, and max_age_days keeps its meaning (not modified for N days).
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("logward-migrate-rotate-"));
  dir = fs.realpathSync(dir);
  fs.mkdirSync(path.join(dir, "logs"));
  fs.mkdirSync(path.join(dir, "archive"));
});
afterEach(() => cleanup());

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");
/** The old script's archive name for a rotation at ms (local time, like its datetime.now()). */
function oldArchive(ms: number): string {
  const d = new Date(ms);
  const stamp = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `app_${stamp}.log.gz`;
}

/** The old config as users have it: relative folders (beside the JSON), a log file, retention. */
function writeOldConfig(rotation: Record<string, number>): string {
  const file = path.join(dir, "log_manager.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      log_dir: "logs",
      archive_dir: "archive",
      active_log: "app.log",
      rotation,
      archival: { compress: true, retention_days: 30 },
      logging: { log_file: "log_manager.log", log_level: "INFO" },
    }),
  );
  return file;
}

const listing = (d: string): string[] => fs.readdirSync(d).sort();

describe("the old rotation script's config", () => {
  it("expires the archives the old script made, keeps recent ones, and writes the pass to logging.log_file", async () => {
    const config = writeOldConfig({ max_size_mb: 1 });
    const expired = oldArchive(Date.now() - 40 * DAY);
    const recent = oldArchive(Date.now() - 2 * DAY);
    const unrelated = ["other_20000101_000000.log.gz", "app_2000_01.log.gz", "app_20000101_000000.log"];
    for (const name of [expired, recent, ...unrelated]) fs.writeFileSync(path.join(dir, "archive", name), "old");
    fs.writeFileSync(path.join(dir, "logs", "app.log"), "y".repeat(1024 * 1024 + 1));
    const r = await runLogward(["--state-dir", path.join(dir, "state"), "rotate", "-c", config], { cwd: "/" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/delete +\S+app_\d{8}_\d{6}\.log\.gz +\(rotated .* ago, beyond keep_days 30\)/);
    const left = listing(path.join(dir, "archive"));
    expect(left).not.toContain(expired);
    expect(left).toEqual(
      // The file just rotated waits rotate_wait (30s) before it is compressed: a writer may still hold it.
      expect.arrayContaining([recent, ...unrelated, expect.stringMatching(/^app-\d{8}-\d{6}\.log$/)]),
    );
    expect(left).toHaveLength(5);
    const own = fs.readFileSync(path.join(dir, "log_manager.log"), "utf8");
    expect(own).toMatch(/rotat/i);
    expect(own).toContain(expired);
  });

  it("rotates on max_age_days when the file has not been modified for that long, not by its content's age", async () => {
    const config = writeOldConfig({ max_size_mb: 100, max_age_days: 7 });
    const log = path.join(dir, "logs", "app.log");
    fs.writeFileSync(log, "stale\n");
    const stateDir = path.join(dir, "state");
    // First pass: logward has never seen the file, its content is "new" to it; only the mtime says 8 days.
    fs.utimesSync(log, new Date(Date.now() - 8 * DAY), new Date(Date.now() - 8 * DAY));
    const stale = await runLogward(["--state-dir", stateDir, "rotate", "-c", config, "--dry-run"], { cwd: "/" });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toMatch(/app\.log: would rotate \(not modified for 8d.*max_idle 7d\)/);
    // Modified an hour ago: not idle, so no rotation however old the content.
    fs.utimesSync(log, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const busy = await runLogward(["--state-dir", stateDir, "rotate", "-c", config, "--dry-run"], { cwd: "/" });
    expect(busy.stdout).toMatch(/app\.log: not rotated \(.*not modified for 1h.* < max_idle 7d\)/);
  });
});
