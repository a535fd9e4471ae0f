// Command-line conventions: -V/-v/--version, every bad flag value a usage error (exit 2, the flag named, no stack),
// NO_COLOR/FORCE_COLOR on the live dashboard, and a terminal reporting 0 rows still drawn.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { WriteStream } from "node:tty";
import { afterAll, describe, expect, it } from "vitest";
import { colourWanted, terminalSize } from "../src/core/terminal.js";
import { DashboardScreen } from "../src/stats/dashboard.js";
import { LOGWARD, ROOT, runLogward, tempDir, waitFor } from "./helpers.js";

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const SGR = /\x1b\[[0-9;]*m/g;

describe("version flags", () => {
  it.each([["-V"], ["-v"], ["--version"], ["--log-level", "warn", "-v"], ["--state-dir", "/x", "-V"]])(
    "%s prints the version",
    async (...args) => {
      expect(await runLogward(args)).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    },
  );
});

describe("bad flag values are usage errors", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  writeFileSync(join(tmp.dir, "a.log"), "");
  const log = join(tmp.dir, "a.log");
  const to = ["--to", "http://127.0.0.1:9"];
  const cases: [string, string[]][] = [
    ["--log-level", ["--log-level", "bogus", "check"]],
    ["--log-format", ["--log-format", "xml", "check"]],
    ["--wait", ["watch", log, "-m", "x", "-w", "soon", "--once"]],
    ["--wait", ["watch", log, "-m", "x", "-w", "-5", "--once"]],
    ["--for", ["demo", "--for", "a while"]],
    ["--type", ["forward", log, ...to, "--type", "carrier-pigeon"]],
    ["--rescan", ["forward", log, ...to, "--rescan", "often"]],
    ["--batch-size", ["forward", log, ...to, "--batch-size", "many"]],
    ["--batch-size", ["forward", log, ...to, "--batch-size", "0"]],
    ["--batch-timeout", ["forward", log, ...to, "--batch-timeout", "x"]],
    ["--rate-limit", ["forward", log, ...to, "--rate-limit", "x"]],
    ["--max-retries", ["forward", log, ...to, "--max-retries", "x"]],
    ["--to", ["forward", log, "--to", "not a url"]],
    ["duration", ["logs2eca", "-l", log, "-p", "x", "-c", "true", "-w", "bogus"]],
    ["listen", ["view", log, "--listen", "everywhere"]],
    ["listen", ["view", log, "--listen", "127.0.0.1:99999"]],
    ["--lines", ["view", log, "-n", "lots"]],
    ["--history", ["view", log, "--history", "-1"]],
    ["--format", ["stats", log, "--replay", "--format", "xml"]],
    ["--interval", ["stats", log, "--replay", "--interval", "x"]],
    ["--window", ["stats", log, "--replay", "--window", "x"]],
    ["--threshold", ["stats", log, "--replay", "--threshold", "high"]],
    ["--top", ["stats", log, "--replay", "--top", "1.5"]],
    ["--lateness", ["stats", log, "--replay", "--lateness", "x"]],
  ];
  it("the old Discord monitor's LOG_LEVEL: a bad one is a usage error too, WARNING and CRITICAL are understood", async () => {
    const env = { EKOS_LOGS_DIRECTORY: tmp.dir, DISCORD_WEBHOOK_URL: "http://127.0.0.1:9", LOG_LEVEL: "loud" };
    const bad = await runLogward(["forward", "--once"], { cwd: tmp.dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('logward: LOG_LEVEL: unknown level "loud" (use debug, info, warning, error)\n');
    for (const LOG_LEVEL of ["WARNING", "critical"])
      expect(await runLogward(["forward", "--once"], { cwd: tmp.dir, env: { ...env, LOG_LEVEL } })).toMatchObject({
        code: 0,
      });
  });

  it.each(cases)("%s in: logward %s", async (flag, args) => {
    const run = await runLogward(args, { cwd: tmp.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stderr).not.toMatch(/\n\s+at |logward\.cjs:\d+/);
  });
});

describe("colour conventions", () => {
  it("FORCE_COLOR wins, then NO_COLOR and TERM=dumb, else colour only on a terminal", () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(pipe, {})).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: "" })).toBe(true); // no-color.org: present and not empty
    expect(colourWanted(tty, { TERM: "dumb" })).toBe(false);
    expect(colourWanted(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourWanted(pipe, { FORCE_COLOR: "" })).toBe(true);
    expect(colourWanted(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourWanted(tty, { FORCE_COLOR: "false" })).toBe(false);
    expect(colourWanted(pipe, { FORCE_COLOR: "3", NO_COLOR: "1" })).toBe(true);
  });

  it("a size of 0, negative, fractional or missing is unknown: the defaults", () => {
    const d = { columns: 100, rows: 40 };
    expect(terminalSize({ columns: 0, rows: 0 })).toEqual(d);
    expect(terminalSize({})).toEqual(d);
    expect(terminalSize({ columns: -3, rows: 2.5 })).toEqual(d);
    expect(terminalSize({ columns: 80, rows: 24 })).toEqual({ columns: 80, rows: 24 });
  });

  const view = {
    title: "access.log",
    format: "combined",
    state: {
      watermark: 0,
      window: { seconds: 120, hits: 5, rate: 1 },
      firing: true,
      totals: { hits: 5, invalid: 0, late: 0 },
    },
    threshold: 1,
    rates: [1, 2],
    alerts: [{ message: "High traffic", firing: true }],
  };
  const drawn = (env: NodeJS.ProcessEnv, size: { columns?: number; rows?: number } = {}): string => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, ...size });
    let out = "";
    stream.on("data", (d: Buffer) => (out += d.toString()));
    const screen = new DashboardScreen(stream as unknown as WriteStream, env);
    screen.draw(view as never);
    screen.close();
    return out;
  };

  it("the dashboard draws no colour under NO_COLOR or FORCE_COLOR=0, and colour otherwise", () => {
    expect(drawn({}).match(SGR)?.length).toBeGreaterThan(5);
    expect(drawn({ NO_COLOR: "1" }).match(SGR)).toBeNull();
    expect(drawn({ FORCE_COLOR: "0" }).match(SGR)).toBeNull();
    expect(drawn({ NO_COLOR: "1" })).toContain("HIGH TRAFFIC");
  });

  it("a terminal reporting 0 rows and columns still gets the whole dashboard", () => {
    const text = drawn({ NO_COLOR: "1" }, { columns: 0, rows: 0 });
    expect(text).toContain("HIGH TRAFFIC");
    expect(text).toContain("Ctrl-C to quit");
  });

  const haveScript = spawnSync("script", ["--version"]).status === 0;
  if (!haveScript && process.env.CI === "true") throw new Error("script (util-linux) is required in CI");
  it.skipIf(!haveScript)(
    "live `logward stats` on a real pty (0 rows): NO_COLOR means no colour codes",
    async () => {
      const tmp = tempDir();
      try {
        const log = join(tmp.dir, "access.log");
        writeFileSync(log, '127.0.0.1 - - [21/Nov/2026:04:00:00 +0000] "GET /api HTTP/1.1" 200 10\n');
        const frame = async (env: NodeJS.ProcessEnv): Promise<string> => {
          // script gives logward a pty; without a terminal of its own it reports 0 rows and 0 columns.
          const child = spawn("script", ["-qec", `${process.execPath} ${LOGWARD} stats ${log}`, "/dev/null"], {
            env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: "xterm", ...env },
          });
          let out = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          try {
            await waitFor(
              () => out.includes("Ctrl-C to quit"),
              () => `a dashboard frame, got ${JSON.stringify(out)}`,
            );
          } finally {
            child.kill("SIGTERM");
          }
          return out;
        };
        expect((await frame({})).match(SGR)?.length).toBeGreaterThan(5);
        const plain = await frame({ NO_COLOR: "1" });
        expect(plain.match(SGR)).toBeNull();
        expect(plain).toContain("window 120s");
      } finally {
        tmp.cleanup();
      }
    },
    40_000,
  );
});
