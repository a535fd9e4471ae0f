// End to end as an unprivileged user: an unreadable file is reported once, then read once it becomes readable.
// (As root every file is readable, so root runs this by dropping to `nobody`; test/file-source.test.ts covers
// the same behaviour in-process when the tests themselves run unprivileged.)
import { appendFileSync, chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { LOGWARD, readLines, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** The checkout must be readable by nobody (it is unless it lives under a private folder such as /root). */
const nobodyCanRun =
  isRoot && spawnSync(process.execPath, [LOGWARD, "--version"], { uid: NOBODY, gid: NOBODY, cwd: "/" }).status === 0;
if (isRoot && !nobodyCanRun) console.warn(`skipped: user nobody cannot run ${LOGWARD} (a parent folder is private)`);
let dir: string;
let cleanup: () => void;
let running: Running | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  chmodSync(dir, 0o777);
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

describe.skipIf(!nobodyCanRun)("an unreadable file (run as nobody)", () => {
  it("is reported once and read once it becomes readable", async () => {
    const log = join(dir, "secret.log");
    writeFileSync(log, "");
    chmodSync(log, 0o600);
    running = startLogward(
      ["watch", log, "--from-start", "-m", "readable", "-x", `printf '%s\\n' "$LOGWARD_LINE" >> "${dir}/lines.txt"`],
      {
        uid: NOBODY,
        gid: NOBODY,
        cwd: dir,
        env: { HOME: dir },
      },
    );
    await running.waitForLog(/cannot open/);
    appendFileSync(log, "now readable\n");
    chmodSync(log, 0o644);
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "the line after chmod");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["now readable"]);
    expect(running.logs().filter((l) => /cannot open/.test(String(l.msg))).length).toBe(1);
  });
});
