// End to end: `logward watch` and `logs2eca` against real files, real rotations and real commands.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, runLogward, startLogward, tempDir, waitFor, LOGWARD, ROOT, type Running } from "./helpers.js";

const LOGS2ECA = join(ROOT, "bin", "logs2eca");

let dir: string;
let cleanup: () => void;
let running: Running | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

/**
 * A command that records each run's stdin and LOGWARD_LINE in files of the test folder, lines.txt last: once it
 * holds a run's line, that run's stdin is in stdin.txt too.
 */
function recorder(): string {
  return `cat >> "${dir}/stdin.txt"; printf '%s\\n' "$LOGWARD_LINE" >> "${dir}/lines.txt"`;
}

async function watch(log: string, args: string[]): Promise<Running> {
  running = startLogward(["watch", log, ...args]);
  await running.waitForLog("logward running");
  return running;
}

describe("logward watch", () => {
  it("ignores lines written before it started and runs the command for new matches", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "ERROR old line\n");
    await watch(log, ["-m", "ERROR", "-x", recorder()]);
    appendFileSync(log, "INFO fine\nERROR new line\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["ERROR new line"]);
    expect(readLines(join(dir, "stdin.txt"))).toEqual(["ERROR new line"]);
  });

  it.each(["/fail(ed|ure)/", "|fail(ed|ure)|", "%fail(ed|ure)%", "/FAILURE/i"])(
    "matches with the pattern %s",
    async (pattern) => {
      const log = join(dir, "app.log");
      writeFileSync(log, "");
      await watch(log, ["-m", pattern, "-x", recorder()]);
      appendFileSync(log, "auth failure one\nsomething else\n");
      await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
      expect(readLines(join(dir, "lines.txt"))).toEqual(["auth failure one"]);
    },
  );

  it("passes hostile log text verbatim and never executes it", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await watch(log, ["-m", "EVIL", "-x", recorder()]);
    const hostile = `EVIL $(touch ${dir}/pwned1) \`touch ${dir}/pwned2\` "quoted" 'single'; touch ${dir}/pwned3 && echo $HOME`;
    appendFileSync(log, hostile + "\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
    expect(readLines(join(dir, "lines.txt"))).toEqual([hostile]);
    expect(readLines(join(dir, "stdin.txt"))).toEqual([hostile]);
    for (const n of [1, 2, 3]) expect(existsSync(join(dir, `pwned${n}`))).toBe(false);
  });

  it("gives the command the environment contract", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await watch(log, ["-m", "/user=(?<user>\\w+)/", "-x", `env | grep ^LOGWARD_ | sort > "${dir}/env.txt"`]);
    appendFileSync(log, "login failed user=alice\n");
    const env = await waitFor(
      () => readLines(join(dir, "env.txt")).length > 0 && readLines(join(dir, "env.txt")),
      "env dump",
    );
    expect(env).toEqual(
      expect.arrayContaining([
        "LOGWARD_RULE=watch",
        "LOGWARD_SOURCE=watch",
        `LOGWARD_FILE=${log}`,
        "LOGWARD_LINE=login failed user=alice",
        "LOGWARD_MATCH=user=alice",
        "LOGWARD_FIELD_USER=alice",
        "LOGWARD_COUNT=1",
        "LOGWARD_SUPPRESSED=0",
      ]),
    );
    expect(env.find((l) => l.startsWith("LOGWARD_TIME="))).toMatch(/^LOGWARD_TIME=\d{4}-\d\d-\d\dT/);
  });

  it("suppresses matches during the cooldown, then fires again counting them", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await watch(log, ["-m", "ERROR", "-w", "1", "-x", `echo "$LOGWARD_LINE $LOGWARD_SUPPRESSED" >> "${dir}/runs.txt"`]);
    appendFileSync(log, "ERROR a\nERROR b\nERROR c\n");
    await waitFor(() => readLines(join(dir, "runs.txt")).length === 1, "first run");
    // Keep matching lines coming until the cooldown has passed and one fires again.
    let tick = 0;
    await waitFor(() => {
      if (readLines(join(dir, "runs.txt")).length >= 2) return true;
      appendFileSync(log, `ERROR tick${tick++}\n`);
      return false;
    }, "a run after the cooldown");
    const [first, second] = readLines(join(dir, "runs.txt"));
    expect(first).toBe("ERROR a 0");
    const [, n, suppressed] = /^ERROR tick(\d+) (\d+)$/.exec(second ?? "") ?? [];
    expect(Number(n)).toBeGreaterThanOrEqual(3);
    expect(Number(suppressed)).toBe(2 + Number(n));
  });
});

describe("rotations keep matches flowing with no line fired twice", () => {
  async function startCounting(log: string): Promise<void> {
    writeFileSync(log, "");
    await watch(log, ["-m", "HIT", "-x", recorder()]);
  }

  /**
   * Matches that arrive while the command runs are coalesced into one next run: LOGWARD_LINE names the latest, and
   * stdin carries every line. So the lines handed to the command are counted on stdin.
   */
  async function expectRuns(expected: string[]): Promise<void> {
    const handed = () => readLines(join(dir, "stdin.txt"));
    await waitFor(() => handed().length >= expected.length, `${expected.length} lines handed to the command`);
    // Give a late duplicate a chance to show: one more marker line must arrive after everything else.
    const log = join(dir, "app.log");
    appendFileSync(log, "HIT marker\n");
    await waitFor(() => handed().includes("HIT marker"), "marker");
    // Lines of two different files have no order between them; each line must reach the command exactly once.
    const lines = handed();
    expect([...lines].sort()).toEqual([...expected, "HIT marker"].sort());
    expect(lines.at(-1)).toBe("HIT marker");
  }

  it("rename + create", async () => {
    const log = join(dir, "app.log");
    await startCounting(log);
    appendFileSync(log, "HIT 1\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "first");
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, "HIT 2 written to the old file after the rename\n");
    writeFileSync(log, "HIT 3\n");
    await expectRuns(["HIT 1", "HIT 2 written to the old file after the rename", "HIT 3"]);
  });

  it("copytruncate", async () => {
    const log = join(dir, "app.log");
    await startCounting(log);
    appendFileSync(log, "HIT 1\nHIT 2\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 2, "two");
    writeFileSync(`${log}.1`, readFileSync(log));
    truncateSync(log, 0);
    appendFileSync(log, "HIT 3\n");
    await expectRuns(["HIT 1", "HIT 2", "HIT 3"]);
  });

  it("delete + recreate", async () => {
    const log = join(dir, "app.log");
    await startCounting(log);
    appendFileSync(log, "HIT 1\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "first");
    rmSync(log);
    writeFileSync(log, "HIT 2\n");
    await expectRuns(["HIT 1", "HIT 2"]);
  });

  it("SIGHUP reopens and keeps following", async () => {
    const log = join(dir, "app.log");
    await startCounting(log);
    appendFileSync(log, "HIT 1\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "first");
    renameSync(log, `${log}.1`);
    writeFileSync(log, "");
    running?.child.kill("SIGHUP");
    await running?.waitForLog(/SIGHUP/);
    appendFileSync(log, "HIT 2\n");
    await expectRuns(["HIT 1", "HIT 2"]);
  });
});

describe("logs2eca drop-in", () => {
  it("takes the old flags and LOGS2ECA_* variables", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "Killed process 1 (old)\n");
    running = startLogward([], {
      bin: join(ROOT, "bin", "logs2eca"),
      env: {
        LOGS2ECA_LOG_FILE: log,
        LOGS2ECA_EVENT_PATTERN: "|Killed process \\d+|",
        LOGS2ECA_COMMAND: recorder(),
        LOGS2ECA_WAIT: "0",
      },
    });
    await running.waitForLog("logward running");
    appendFileSync(log, "Killed process 42 (java)\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["Killed process 42 (java)"]);
  });

  it("exits 2 naming what is missing", async () => {
    const r = startLogward([], {
      bin: join(ROOT, "bin", "logs2eca"),
      env: { LOGS2ECA_LOG_FILE: "", LOGS2ECA_COMMAND: "" },
    });
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/missing -l\/LOGS2ECA_LOG_FILE, -p\/LOGS2ECA_EVENT_PATTERN, -c\/LOGS2ECA_COMMAND/);
    expect(r.stderr()).not.toMatch(/\n\s+at /);
  });
});

describe("logs2eca: the old invocations, unchanged", () => {
  async function logs2eca(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
    running = startLogward(args, { bin: LOGS2ECA, env });
    await running.waitForLog("logward running");
    return running;
  }

  it("takes the documented long flags --logfile --pattern --command --wait", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await logs2eca(["--logfile", log, "--pattern", "ERROR", "--command", recorder(), "--wait", "0"]);
    appendFileSync(log, "INFO fine\nERROR one\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["ERROR one"]);
  });

  it("reads a pattern as a regex only between two equal delimiters: -p /home/sim is the text /home/sim", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await logs2eca(["-l", log, "-p", "/home/sim", "-c", recorder(), "-w", "0"]);
    appendFileSync(log, "x home y\nSIM\ncd /home/sim now\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 1, "one run");
    appendFileSync(log, "/HOME/SIM\nhome again\n/home/sim marker\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).includes("/home/sim marker"), "marker");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["cd /home/sim now", "/home/sim marker"]);
  });

  it("takes /re/i as the literal text it was, and Python syntax between delimiters", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    const python = "%(?i)\\A(?P<user>\\w+) failed: (?P=user)\\Z%";
    await logs2eca(["-l", log, "-p", python, "-c", `${recorder()}; echo "$LOGWARD_FIELD_USER" >> "${dir}/users.txt"`]);
    appendFileSync(log, "bob failed: alice\nx bob failed: bob\nbob failed: bob!\nBOB FAILED: BOB\n");
    await waitFor(() => readLines(join(dir, "users.txt")).length === 1, "one run");
    expect(readLines(join(dir, "users.txt"))).toEqual(["BOB"]);
    await running?.stop();
    await logs2eca(["-l", log, "-p", "/FAILURE/i", "-c", recorder(), "-w", "0"]);
    appendFileSync(log, "FAILURE\nthe /FAILURE/i text\n");
    await waitFor(() => readLines(join(dir, "lines.txt")).length === 2, "second run");
    expect(readLines(join(dir, "lines.txt"))).toEqual(["BOB FAILED: BOB", "the /FAILURE/i text"]);
  });

  it("refuses Python syntax JavaScript cannot express: exit 2, a clear message, no stack", async () => {
    const r = await runLogward(["-l", join(dir, "app.log"), "-p", "/(?P<a>x)?(?(a)y|z)/", "-c", "true"], {
      bin: LOGS2ECA,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JavaScript has no conditional groups/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("counts the wait from the end of the command, keeps reading, and says what it ignored", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    const command = `date +%s%3N >> "${dir}/start.txt"; sleep 1; echo "$LOGWARD_SUPPRESSED" >> "${dir}/suppressed.txt"; date +%s%3N >> "${dir}/end.txt"`;
    await logs2eca(["-l", log, "-p", "|HIT \\d+|", "-c", command, "-w", "1"]);
    let n = 0;
    await waitFor(() => {
      if (readLines(join(dir, "start.txt")).length >= 2) return true;
      appendFileSync(log, `HIT ${n++}\n`);
      return false;
    }, "a second run");
    const [end1] = readLines(join(dir, "end.txt")).map(Number);
    const [, start2] = readLines(join(dir, "start.txt")).map(Number);
    // The old tool: subprocess.call (1 s) then time.sleep(1): 1 s from the end, not from the start.
    expect((start2 as number) - (end1 as number)).toBeGreaterThanOrEqual(1000);
    const ignored = await running?.waitForLog(/^ignored \d+ matches while the command ran and 1s after$/);
    // Lines came every 25 ms through the 1 s run and the 1 s wait: reading never paused.
    expect(Number(ignored?.ignored)).toBeGreaterThanOrEqual(40);
    await waitFor(() => readLines(join(dir, "suppressed.txt")).length === 2, "second run's end");
    expect(readLines(join(dir, "suppressed.txt"))).toEqual(["0", String(ignored?.ignored)]);
  });

  it("lets the command write to logward's own stdout: 20 MB of output never reaches the log", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "");
    await logs2eca(["-l", log, "-p", "GO", "-c", "seq 1 3000000", "-w", "0"]);
    let expected = 0;
    for (let i = 1; i <= 3_000_000; i++) expected += String(i).length + 1;
    appendFileSync(log, "GO\n");
    await running?.waitForLog("command finished", 60_000);
    expect(running?.stdout().length).toBe(expected);
    expect(running?.stdout().endsWith("2999999\n3000000\n")).toBe(true);
    expect(running?.stderr().length).toBeLessThan(4096);
  });
});

describe("watch prints matches readably on a terminal, JSON otherwise", () => {
  it("prints JSON lines when stdout is not a terminal", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "ERROR one\nINFO two\n");
    const r = await runLogward(["watch", log, "-m", "ERROR", "--from-start", "--once"]);
    expect(r.code).toBe(0);
    const printed = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { line: string; rule: string });
    expect(printed.map((p) => [p.rule, p.line])).toEqual([["watch", "ERROR one"]]);
  });

  const haveScript = spawnSync("script", ["--version"]).status === 0;
  if (!haveScript && process.env.CI === "true") throw new Error("script(1) is required in CI for the terminal test");
  it.skipIf(!haveScript)("prints time [rule] source: line on a terminal (script(1) gives it one)", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, "ERROR one\nINFO two\n");
    const command = `${process.execPath} ${LOGWARD} watch ${log} -m ERROR --from-start --once`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise((res) => child.on("exit", res));
    expect(code).toBe(0);
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[watch\] watch: ERROR one\r?$/m);
    expect(out).not.toContain("{");
  });
});
