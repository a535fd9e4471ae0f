// bin/start.cjs against a copy of the built package: the code cache per command, written once into the user's cache
// folder (never the install folder), only for real commands, survives garbage and unwritable folders.
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli/main.js";
import { ROOT, runLogward, tempDir } from "./helpers.js";

const startCjs = createRequire(import.meta.url)("../bin/start.cjs") as {
  OPTIONS_WITH_VALUE: Set<string>;
  COMMANDS: Set<string>;
  cacheDir: (env: NodeJS.ProcessEnv) => string | undefined;
};

/**
 * A package folder of its own (bin/, dist/bundle/, package.json) under dir/pkg and a cache home of its own,
 * dir/cache-home: `run` starts the copy with XDG_CACHE_HOME pointing there.
 */
function packageCopy(dir: string): {
  bin: string;
  cacheDir: string;
  installDir: string;
  run: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof runLogward>;
} {
  const installDir = join(dir, "pkg");
  mkdirSync(join(installDir, "bin"), { recursive: true });
  mkdirSync(join(installDir, "dist", "bundle"), { recursive: true });
  for (const file of ["bin/logward", "bin/start.cjs", "dist/bundle/logward.cjs", "package.json"])
    copyFileSync(join(ROOT, file), join(installDir, file));
  symlinkSync(join(ROOT, "node_modules"), join(installDir, "node_modules"));
  const bin = join(installDir, "bin", "logward");
  const cacheHome = join(dir, "cache-home");
  return {
    bin,
    cacheDir: join(cacheHome, "logward"),
    installDir,
    run: (args, env = {}) => runLogward(args, { bin, env: { XDG_CACHE_HOME: cacheHome, ...env } }),
  };
}

/**
 * Loaded before bin/logward: logs every growth factor logward sets (stderr, one line each) and allocates in steps
 * that yield to the event loop, keeping the last 20,000 pairs of small objects alive, so that V8 grows new space;
 * then stops the run with SIGTERM.
 */
const SURVIVORS = `
const v8 = require("node:v8");
const set = v8.setFlagsFromString;
let steps = 5000;
let started = false;
let grown = false;
let heldAgain = false;
v8.setFlagsFromString = (flags) => {
  const factor = /--semi-space-growth-factor=(\\d+)/.exec(flags);
  if (factor) process.stderr.write("growth factor " + factor[1] + "\\n");
  if (factor && !started) setImmediate(step); // logward bounds new space from now on: allocate
  started ||= factor !== null;
  heldAgain ||= grown && factor?.[1] === "1";
  grown ||= factor?.[1] === "2";
  return set.call(v8, flags);
};
const ring = new Array(20000);
let n = 0;
// Until new space was let grow and held again at the cap (however long a loaded machine takes), then stop.
const step = () => {
  for (let k = 0; k < 20000; k++) ring[n++ % ring.length] = [n, { n }];
  if (!heldAgain && --steps > 0) setImmediate(step);
  else process.kill(process.pid, "SIGTERM"); // the run ends as a service's does
};
`;

const cacheFiles = (cacheDir: string): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir).sort() : []);

/** The installed files that could grow: bin/ and dist/. */
const installFiles = (installDir: string): string[] =>
  ["bin", "dist"].flatMap((sub) => (readdirSync(join(installDir, sub), { recursive: true }) as string[]).sort());

const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const CHECK = (dir: string) => ["--log-format", "json", "--log-level=warn", "check", "-c", join(dir, "missing.yaml")];
const cacheName = (command: string) =>
  new RegExp(`^logward-${command}-[0-9a-f]{16}-${process.version.replaceAll(".", "\\.")}-${process.arch}\\.v8$`);

describe("bin/start.cjs code cache", () => {
  const tmp = tempDir();
  let pkg: ReturnType<typeof packageCopy>;
  beforeAll(() => (pkg = packageCopy(tmp.dir)));
  afterAll(() => tmp.cleanup());

  it("writes nothing for typos, --help, --version or no command, and never into the install folder", async () => {
    const before = installFiles(pkg.installDir);
    const words = ["--version", "-V", "-v", "--help", "help", "", "rn", "chek", "stast", "x".repeat(20), "RUN", "--"];
    for (const word of words) await pkg.run(word === "" ? [] : [word]);
    expect(await pkg.run(["--log-level", "warn", "-V"])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(cacheFiles(pkg.cacheDir)).toEqual([]);
    await pkg.run(CHECK(tmp.dir));
    expect(installFiles(pkg.installDir)).toEqual(before);
  }, 120_000); // a dozen CLI starts one after another: slow on a loaded 2-core machine

  it("writes one cache per real command into $XDG_CACHE_HOME/logward on first use and then keeps it", async () => {
    const check = await pkg.run(CHECK(tmp.dir));
    expect(check.code).toBe(2);
    const [file, ...more] = cacheFiles(pkg.cacheDir);
    expect(more).toEqual([]);
    expect(file).toMatch(cacheName("check"));
    const written = statSync(join(pkg.cacheDir, file as string));
    expect(written.size).toBeGreaterThan(1000);
    expect((await pkg.run(CHECK(tmp.dir))).code).toBe(2);
    // A cache V8 accepted is not written again.
    expect(statSync(join(pkg.cacheDir, file as string)).mtimeMs).toBe(written.mtimeMs);
  });

  it("keeps the cache of a run that compiles a rule (flags set after compiling would get it rejected)", async () => {
    const log = join(tmp.dir, "rule.log");
    writeFileSync(log, "");
    const config = join(tmp.dir, "rule.json");
    const record = { type: "file", path: join(tmp.dir, "matches.ndjson") };
    const rules = { r: { source: "s", match: "/^(a+)+x/", actions: ["record"] } };
    const state = join(tmp.dir, "rule-state");
    writeFileSync(
      config,
      JSON.stringify({ state_dir: state, sources: { s: { path: log } }, rules, actions: { record } }),
    );
    expect((await pkg.run(["run", "--once", "-c", config])).code).toBe(0);
    const [file, ...more] = cacheFiles(pkg.cacheDir).filter((f) => cacheName("run").test(f));
    expect(more).toEqual([]);
    const written = statSync(join(pkg.cacheDir, file as string));
    expect((await pkg.run(["run", "--once", "-c", config])).code).toBe(0);
    expect(statSync(join(pkg.cacheDir, file as string)).mtimeMs).toBe(written.mtimeMs);
  }, 60_000);

  it("keeps the cache of a run whose young generation grew to its cap and was held there", async () => {
    // A preload allocates survivors while the daemon runs (as a busy daemon's reads would), so new space grows to the
    // cap and is held again; it logs each growth factor set, so the test sees the bound trip and then let go.
    const cacheHome = join(tmp.dir, "young-cache-home"); // a cache of its own: this run writes it first
    const preload = join(tmp.dir, "survivors.cjs");
    writeFileSync(preload, SURVIVORS);
    const log = join(tmp.dir, "young.log");
    writeFileSync(log, "a line\n");
    const config = join(tmp.dir, "young.json");
    const actions = { record: { type: "file", path: join(tmp.dir, "young.ndjson") } };
    const rules = { r: { source: "s", match: "/line/", actions: ["record"] } };
    const sources = { s: { path: log, start_at: "beginning" } };
    writeFileSync(config, JSON.stringify({ state_dir: join(tmp.dir, "young-state"), sources, rules, actions }));
    const run = () =>
      new Promise<{ code: number | null; factors: string[] }>((done) => {
        const args = ["-r", preload, pkg.bin, "run", "-c", config];
        const env = { ...process.env, XDG_CACHE_HOME: cacheHome, LOGWARD_YOUNG_GENERATION_MB: "8" };
        const child = spawn(process.execPath, args, { env: { ...env, NODE_OPTIONS: "" } });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("exit", (code) =>
          done({ code, factors: [...stderr.matchAll(/^growth factor (\d+)$/gm)].map((m) => m[1]!) }),
        );
      });
    const first = await run();
    expect(first.code).toBe(0);
    // Held from the start, let grow, held at the cap, and given back to V8 before the cache was written.
    expect(first.factors.join(" ")).toMatch(/^1 2 1( 2 1)* 2$/);
    const [file, ...more] = cacheFiles(join(cacheHome, "logward"));
    expect(more).toEqual([]);
    expect(file).toMatch(cacheName("run"));
    const written = statSync(join(cacheHome, "logward", file as string));
    expect((await run()).code).toBe(0);
    expect(statSync(join(cacheHome, "logward", file as string)).mtimeMs).toBe(written.mtimeMs);
  }, 60_000);

  it("drops the command's caches of older bundles or Node versions when it writes a new one", async () => {
    mkdirSync(pkg.cacheDir, { recursive: true });
    const stale = ["logward-check-0000000000000000-v20.0.0-x64.v8", "logward-check-1111111111111111-v22.1.0-x64.v8"];
    for (const name of stale) writeFileSync(join(pkg.cacheDir, name), "old");
    writeFileSync(join(pkg.cacheDir, "logward-rotate-0000000000000000-v20.0.0-x64.v8"), "another command's");
    for (const file of cacheFiles(pkg.cacheDir).filter((f) => cacheName("check").test(f)))
      writeFileSync(join(pkg.cacheDir, file), "rejected");
    await pkg.run(CHECK(tmp.dir));
    const files = cacheFiles(pkg.cacheDir);
    expect(files.filter((f) => f.startsWith("logward-check-"))).toHaveLength(1);
    expect(files).toContain("logward-rotate-0000000000000000-v20.0.0-x64.v8");
  });

  it("knows every option before the command that takes a value (they are skipped to find the command)", () => {
    const withValue = buildProgram()
      .options.filter((option) => option.required || option.optional)
      .map((option) => option.long);
    expect([...startCjs.OPTIONS_WITH_VALUE].sort()).toEqual(withValue.sort());
  });

  it("knows every command word", () => {
    const names = buildProgram().commands.map((command) => command.name());
    expect([...startCjs.COMMANDS].sort()).toEqual(names.sort());
  });

  it("replaces a cache V8 rejects, and runs the same meanwhile", async () => {
    await pkg.run(CHECK(tmp.dir));
    const [file] = cacheFiles(pkg.cacheDir).filter((f) => cacheName("check").test(f));
    const path = join(pkg.cacheDir, file as string);
    writeFileSync(path, "not a code cache");
    const run = await pkg.run(CHECK(tmp.dir));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing.yaml");
    expect(statSync(path).size).toBeGreaterThan(1000);
    expect(cacheFiles(pkg.cacheDir).some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  it("runs silently without a cache where it cannot write one (a file in the way, no usable home)", async () => {
    const other = tempDir();
    try {
      const copy = packageCopy(other.dir);
      mkdirSync(join(other.dir, "cache-home"));
      writeFileSync(copy.cacheDir, "a file where the cache folder would go");
      const blocked = await copy.run(CHECK(other.dir));
      expect(blocked.code).toBe(2);
      expect(blocked.stderr).not.toMatch(/cache|EEXIST|ENOTDIR/i);
      expect(readFileSync(copy.cacheDir, "utf8")).toBe("a file where the cache folder would go");
      // A system user: no XDG_CACHE_HOME, a home that is not a folder.
      const homeless = await copy.run(CHECK(other.dir), { XDG_CACHE_HOME: "", HOME: "/dev/null" });
      expect(homeless.code).toBe(2);
      expect(homeless.stderr).not.toMatch(/cache|ENOTDIR/i);
      expect(installFiles(copy.installDir)).not.toContainEqual(expect.stringMatching(/\.v8$/));
    } finally {
      other.cleanup();
    }
  });

  it("puts the cache in $XDG_CACHE_HOME/logward when absolute, else ~/.cache/logward", () => {
    expect(startCjs.cacheDir({ XDG_CACHE_HOME: "/var/cache/u" })).toBe("/var/cache/u/logward");
    const home = startCjs.cacheDir({ XDG_CACHE_HOME: "relative/cache" });
    expect(home).toMatch(/\/\.cache\/logward$/);
    expect(startCjs.cacheDir({})).toBe(home);
  });
});
