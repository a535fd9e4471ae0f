// `logward search` (the built CLI) on real archives: real logrotate, truncated gzip, a huge file, time bounds.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { haveLogrotate } from "./file-source.helpers.js";
import { LOGWARD, runLogward, tempDir, waitFor } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-search-")));
afterEach(() => cleanup());

const at = (name: string): string => join(dir, name);
const numbered = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
const write = (name: string, lines: string[]): void => fs.writeFileSync(at(name), lines.map((l) => `${l}\n`).join(""));
const gzip = (name: string, lines: string[]): void =>
  fs.writeFileSync(at(name), zlib.gzipSync(lines.map((l) => `${l}\n`).join("")));
const search = (args: string[]) => runLogward(["search", ...args], { cwd: dir });
const out = (text: string): string[] => text.split("\n").filter((l) => l !== "");
/** Set a file's mtime (seconds ago): the order of archives of different families follows it. */
const age = (name: string, secondsAgo: number): void => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(at(name), t, t);
};

describe.skipIf(!haveLogrotate)("search over real logrotate archives (skipped when logrotate is missing)", () => {
  it("compress + delaycompress, numbered then dateext names: every line once, in the order written", async () => {
    const file = at("app.log");
    const rotate = (extra: string): void => {
      const conf = at("logrotate.conf");
      const rules = `  rotate 20\n  compress\n  delaycompress\n  missingok\n${extra}`;
      fs.writeFileSync(conf, `${file} {\n${rules}\n}\n`, { mode: 0o644 });
      execFileSync("logrotate", ["-f", "-s", at("logrotate.state"), conf], { stdio: "pipe" });
    };
    const written: string[] = [];
    const round = (name: string, extra: string): void => {
      const lines = numbered(`${name} hit`, 40).flatMap((l) => [l, `${name} other`]);
      write("app.log", lines);
      written.push(...lines.filter((l) => l.includes("hit")));
      rotate(extra);
    };
    for (const name of ["n0", "n1", "n2"]) round(name, "");
    // dateext names must differ: one rotation per second of the clock.
    let second = 0;
    for (const name of ["d0", "d1", "d2"]) {
      await waitFor(() => Math.floor(Date.now() / 1000) > second, "the next second");
      second = Math.floor(Date.now() / 1000);
      round(name, "  dateext\n  dateformat -%Y%m%d-%H%M%S");
    }
    write("app.log", ["live hit 0"]);
    written.push("live hit 0");
    const names = fs.readdirSync(dir).filter((n) => n.startsWith("app.log"));
    expect(names.some((n) => /^app\.log\.\d+\.gz$/.test(n))).toBe(true);
    expect(names.some((n) => /^app\.log-\d{8}-\d{6}\.gz$/.test(n))).toBe(true);
    expect(names.some((n) => /^app\.log-\d{8}-\d{6}$/.test(n))).toBe(true); // delaycompress: newest still plain

    const found = await search(["app.log", "-m", "hit"]);
    expect(found.stderr).toBe("");
    expect(found.code).toBe(0);
    expect(out(found.stdout).map((l) => l.slice(l.indexOf(":") + 1))).toEqual(written);
    const counted = await search(["app.log", "-m", "/HIT \\d+$/", "-i", "--count"]);
    expect(out(counted.stdout).reduce((sum, l) => sum + Number(l.split(":").pop()), 0)).toBe(written.length);
  });
});

describe("search", () => {
  it("grep's exit codes and forms: one file plain, several prefixed, --json in the wire form, --limit", async () => {
    write("one.log", ["alpha", "beta"]);
    expect(await search(["one.log", "-m", "beta"])).toMatchObject({ code: 0, stdout: "beta\n" });
    expect(await search(["one.log", "-m", "gamma"])).toMatchObject({ code: 1, stdout: "" });
    expect((await search(["missing.log", "-m", "x"])).code).toBe(2);
    expect((await search(["one.log", "-m", "/(/"])).code).toBe(2);
    expect((await search(["one.log", "-m", "x", "--since", "yesterday-ish", "--parser", "common"])).code).toBe(2);
    write("one.log.1", ["beta old"]);
    expect(out((await search(["one.log", "-m", "beta"])).stdout)).toEqual(["one.log.1:beta old", "one.log:beta"]);
    expect(await search([".", "-m", "x"])).toMatchObject({ code: 2, stderr: "logward: . is a directory\n" });
    const json = out((await search(["one.log", "-m", "beta", "--json", "--limit", "1"])).stdout);
    expect(json.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: null, source: "search", file: "one.log.1", offset: 0, line: "beta old", rule: "search", fields: {} },
    ]);
  });

  it("orders mixed names oldest first: numbers by count, dates by date, families merged by mtime", async () => {
    gzip("app.log.3.gz", ["c3"]);
    write("app.log.2", ["c2"]);
    gzip("app.log.1.gz", ["c1"]);
    gzip("app.log-20261130.gz", ["d30"]);
    write("app.log-20261201", ["d01"]);
    gzip("app-20261202.log.gz", ["d02"]);
    write("app.log", ["live"]);
    write("other.log.1", ["not an archive of app.log"]);
    // Compressed later than written (delaycompress): mtimes inside a family lie; the names decide there.
    for (const [name, ago] of [
      ["app.log.3.gz", 500],
      ["app.log.2", 600],
      ["app.log.1.gz", 450],
      ["app.log-20261130.gz", 100],
      ["app.log-20261201", 200],
      ["app-20261202.log.gz", 50],
    ] as const)
      age(name, ago);
    const found = await search(["app.log", "-m", "/./"]);
    expect(out(found.stdout).map((l) => l.split(":")[1])).toEqual(["c3", "c2", "c1", "d30", "d01", "d02", "live"]);
  });

  it("a truncated .gz: warns with its name, keeps the lines read before the cut, goes on with the next file", async () => {
    const lines = numbered("old", 20_000);
    gzip("app.log.2.gz", lines);
    const whole = fs.readFileSync(at("app.log.2.gz"));
    fs.writeFileSync(at("app.log.2.gz"), whole.subarray(0, Math.floor(whole.length / 2)));
    fs.writeFileSync(at("app.log.1.gz"), Buffer.from("this is not gzip at all\n"));
    write("app.log", ["new 0"]);
    age("app.log.2.gz", 20);
    age("app.log.1.gz", 10);
    const found = await search(["app.log", "-m", "/^(old|new) \\d+$/"]);
    expect(found.code).toBe(2);
    expect(found.stderr).toMatch(/app\.log\.2\.gz: unexpected end of file/);
    expect(found.stderr).toMatch(/app\.log\.1\.gz: incorrect header check/);
    const got = out(found.stdout).map((l) => l.slice(l.indexOf(":") + 1));
    expect(got[got.length - 1]).toBe("new 0");
    const old = got.slice(0, -1);
    expect(old.length).toBeGreaterThan(1000);
    expect(old.length).toBeLessThan(lines.length);
    expect(old).toEqual(lines.slice(0, old.length)); // a prefix, in order: nothing invented, nothing skipped
  });

  it("skips an archive it cannot decompress with a message, and still searches the rest", async () => {
    // zstd: read where Node has it (22.15 and later), else skipped with the reason.
    const zstd = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
    fs.writeFileSync(at("app.log.3.zst"), zstd ? zstd(Buffer.from("zstd hit\n")) : "(\xb5/\xfd");
    age("app.log.3.zst", 30);
    fs.writeFileSync(at("app.log.2.bz2"), "BZh9");
    fs.writeFileSync(at("app.log.1.xz"), "\xfd7zXZ");
    write("app.log", ["hit"]);
    const found = await search(["app.log", "-m", "hit"]);
    expect(found.code).toBe(0);
    expect(found.stdout).toBe(`${zstd ? "app.log.3.zst:zstd hit\n" : ""}app.log:hit\n`);
    if (!zstd) expect(found.stderr).toMatch(/app\.log\.3\.zst: skipped: \.zst needs Node 22\.15 or later/);
    expect(found.stderr).toMatch(/app\.log\.2\.bz2: skipped: no decompressor for \.bz2/);
    expect(found.stderr).toMatch(/app\.log\.1\.xz: skipped: no decompressor for \.xz/);
  });

  it("time bounds by the parser's time, lines without a time taking the last one; --source reads the config", async () => {
    const clf = (day: number, hour: number, path: string): string =>
      `10.0.0.1 - - [${String(day).padStart(2, "0")}/Dec/2026:${String(hour).padStart(2, "0")}:00:00 +0000] ` +
      `"GET ${path} HTTP/1.1" 500 12`;
    gzip("access.log.1.gz", [clf(1, 10, "/a"), clf(1, 23, "/b"), "  continuation of /b"]);
    write("access.log", [clf(2, 1, "/c"), clf(2, 5, "/d")]);
    age("access.log.1.gz", 100);
    const bounded = await search([
      "access.log",
      "-m",
      "/",
      "--parser",
      "common",
      "--since",
      "2026-12-01T20:00:00Z",
      "--until",
      "2026-12-02T02:00:00Z",
      "--json",
    ]);
    expect(bounded.stderr).toBe("");
    const hits = out(bounded.stdout).map((l) => JSON.parse(l) as { line: string; time: string | null });
    expect(hits.map((h) => h.line.includes("/b") || h.line.includes("/c"))).toEqual([true, true, true]);
    expect(hits[0]?.time).toBe("2026-12-01T23:00:00.000Z");
    expect(hits[1]?.line).toBe("  continuation of /b");

    fs.writeFileSync(
      at("logward.yaml"),
      `sources:\n  web:\n    path: ${at("access.log")}\n    parser: { type: common }\n` +
        `    multiline: { start: "/^\\\\d/" }\n`,
    );
    const viaSource = await search(["--source", "web", "-c", "logward.yaml", "-m", "continuation", "--json"]);
    expect(viaSource.stderr).toBe("");
    const events = out(viaSource.stdout).map((l) => JSON.parse(l) as { line: string; source: string; time: string });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "web", time: "2026-12-01T23:00:00.000Z" });
    expect(events[0]?.line).toBe(`${clf(1, 23, "/b")}\n  continuation of /b`);
    expect((await search(["--source", "nope", "-c", "logward.yaml", "-m", "x"])).code).toBe(2);
  });

  it("streams a huge compressed file with a 40 MB line in bounded memory", async () => {
    const total = 200 * 1024 * 1024;
    const line = `${"filler ".repeat(20)}\n`;
    async function* body(): AsyncGenerator<string> {
      let sent = 0;
      yield "needle first\n";
      yield "x".repeat(40 * 1024 * 1024) + " needle in the huge line\n";
      const block = line.repeat(4096);
      while (sent < total) {
        yield block;
        sent += block.length;
      }
      yield "needle last\n";
    }
    await pipeline(Readable.from(body()), zlib.createGzip({ level: 1 }), fs.createWriteStream(at("big.log.1.gz")));
    write("big.log", ["needle live"]);
    age("big.log.1.gz", 10);
    const child = spawn(process.execPath, [LOGWARD, "search", "big.log", "-m", "needle"], { cwd: dir });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    let peakKb = 0;
    const sample = (): void => {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    };
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const timer = setInterval(() => {
      try {
        sample();
      } catch {
        // exited between two samples
      }
    }, 20);
    const code = await exited;
    clearInterval(timer);
    expect(code).toBe(0);
    const lines = out(stdout);
    expect(lines.map((l) => l.slice(0, 40))).toEqual([
      "big.log.1.gz:needle first",
      "big.log.1.gz:needle last",
      "big.log:needle live",
    ]);
    // The 40 MB line is cut to max_line_bytes (1 MiB) before the needle: it cannot match, and is never held whole.
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(160);
    console.log(`search of ${total >> 20} MiB (gzip) with a 40 MiB line: peak RSS ${Math.round(peakKb / 1024)} MiB`);
  }, 120_000);
});

it("completion knows the command and its flags", async () => {
  const bash = await runLogward(["completion", "bash"]);
  expect(bash.stdout).toMatch(/search\) words="[^"]*--since[^"]*--ignore-case/);
});
