// Runs the CLI bundle (dist/bundle/logward.cjs) through V8's code cache, kept per command in the user's cache folder.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");
const v8 = require("node:v8");

const BUNDLE = path.join(__dirname, "..", "dist", "bundle", "logward.cjs");

/**
 * Run the CLI as `name` with argv. The first run of a real command writes what V8 compiled for it to a cache file
 * in the per-user cache folder (when it is writable); later runs of that command load it instead of compiling.
 * The file's name holds the bundle's content hash (its first line, written by scripts/bundle.mjs) and Node's
 * version, since V8 itself checks little more than the source's length. Typos, --help and --version get no cache:
 * a cache per unknown word would fill the folder.
 */
exports.start = function start(name, argv) {
  setRuntimeFlags();
  // latin1: the bundle is ASCII (scripts/bundle.mjs checks), and V8 makes a one-byte string of it without decoding.
  const source = fs.readFileSync(BUNDLE, "latin1");
  const command = commandOf(name, argv);
  const dir = command && cacheDir(process.env);
  const cacheFile = dir && path.join(dir, `${command}-${bundleHash(source)}-${process.version}-${process.arch}.v8`);
  const cachedData = cacheFile ? readIfThere(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  // After the compile above: the code cache records V8's flags, and it was checked against the usual ones.
  const lift = STARTUP_LIMITED.has(command) ? limitTiering(process) : () => {};
  if (cacheFile && (!cachedData || script.cachedDataRejected))
    process.once("exit", () => {
      // The cache is written under the usual flags, the ones the next start checks it against.
      lift();
      releaseHeapBounds();
      writeCache(script, dir, cacheFile, command);
    });
  const bundle = { exports: {} };
  script
    .runInThisContext()
    .call(bundle.exports, bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, path.dirname(BUNDLE));
  return bundle.exports.main(argv, name);
};

/**
 * The V8 flags logward turns on while it runs (src/core/pattern-risk.ts, when it compiles rules), turned on before
 * compiling instead: a code cache records a hash of V8's flags, and one written at exit under other flags than the
 * next start's would be rejected on every start and written again (start-cache.test.ts runs a rule twice).
 */
const RUNTIME_FLAGS = [
  "--enable-experimental-regexp-engine",
  "--enable-experimental-regexp-engine-on-excessive-backtracks",
];

function setRuntimeFlags() {
  try {
    for (const flag of RUNTIME_FLAGS) v8.setFlagsFromString(flag);
  } catch {
    // A V8 without these flags: pattern-risk.ts finds out itself and runs without the linear fallback.
  }
}

/**
 * Commands whose start compiles every rule: thousands of small functions (the literal analysis of each pattern)
 * run briefly and hot, and V8's top tier (TurboFan) spends more CPU compiling them than they then save.
 */
const STARTUP_LIMITED = new Set(["logward-run", "logward-check"]);
/** Where the bundle finds the function that lifts the limit (src/core/start-tiering.ts calls it). */
const LIFT = Symbol.for("logward.startupTiering");
/** The latest the limit holds, should the bundle never lift it (a start that fails or hangs on a source). */
const STARTUP_LIMIT_MS = 3000;

/**
 * Keep V8's top tier off (--no-turbofan: Sparkplug, and Maglev where it is on, still compile) until the rules are
 * compiled; returns the lift, also put where the bundle finds it. Left alone when the user chose the tiers.
 * Not --max-opt: lowering it turns TurboFan off by implication, and raising it again does not turn it back on.
 */
exports.limitTiering = limitTiering;
function limitTiering(proc) {
  const tiers = /--(no-)?(turbofan|opt\b|max[-_]opt|jitless)/;
  if ([...proc.execArgv, proc.env.NODE_OPTIONS ?? ""].some((arg) => tiers.test(arg))) return () => {};
  try {
    v8.setFlagsFromString("--no-turbofan");
  } catch {
    return () => {}; // a V8 without the flag: it runs as before
  }
  let timer;
  const lift = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    delete globalThis[LIFT];
    v8.setFlagsFromString("--turbofan");
  };
  timer = setTimeout(lift, STARTUP_LIMIT_MS);
  timer.unref();
  globalThis[LIFT] = lift;
  return lift;
}

/** Where the bundle puts the releases of its bounds on V8's heap (src/core/young-generation.ts, old-generation.ts). */
const HEAP_BOUNDS = [Symbol.for("logward.youngGeneration"), Symbol.for("logward.oldGeneration")];

/** Gives V8 back the heap flags the bundle may have changed: a code cache records them too. */
function releaseHeapBounds() {
  for (const key of HEAP_BOUNDS) {
    const release = globalThis[key];
    if (typeof release === "function") release();
  }
}

/** logward's options before the command that take a value (src/cli/main.ts; start-cache.test.ts checks the list). */
const OPTIONS_WITH_VALUE = new Set(["--log-level", "--log-format", "--state-dir"]);
exports.OPTIONS_WITH_VALUE = OPTIONS_WITH_VALUE;

/** logward's command words (src/cli/commands.ts; start-cache.test.ts checks the list). */
const COMMANDS = new Set([
  "run",
  "check",
  "watch",
  "forward",
  "demo",
  "logs2eca",
  "rotate",
  "service",
  "view",
  "stats",
  "search",
  "completion",
]);
exports.COMMANDS = COMMANDS;

/** `$XDG_CACHE_HOME/logward`, else `~/.cache/logward` (a relative XDG path is ignored, as the spec says). */
function cacheDir(env) {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, "logward");
  try {
    const home = os.homedir();
    return home ? path.join(home, ".cache", "logward") : undefined;
  } catch {
    return undefined; // a user without a home folder runs without a cache
  }
}
exports.cacheDir = cacheDir;

/** `logward-run`, `logward-stats`…: the command word decides what code runs. Anything else gets no cache. */
function commandOf(name, argv) {
  let word;
  for (let i = 0; i < argv.length && word === undefined; i++) {
    const arg = argv[i];
    if (OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (arg === "-h" || arg === "--help" || arg === "-V" || arg === "-v" || arg === "--version") return undefined;
    else if (!arg.startsWith("-")) word = arg;
  }
  if (name === "logs2eca") return "logs2eca";
  return COMMANDS.has(word) ? `${name}-${word}` : undefined;
}

/** The hash on the bundle's first line (`/*logward-bundle HASH*\/`); a bundle without one is never cached. */
function bundleHash(source) {
  const stamp = /^\/\*logward-bundle ([0-9a-f]{16})\*\//.exec(source);
  if (!stamp) throw new Error(`${BUNDLE} has no content hash on its first line: run npm run build`);
  return stamp[1];
}

function readIfThere(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Written whole under a temporary name, then renamed: a start that reads it never sees half a file. The command's
 * caches for other bundles or Node versions (an upgrade left them) are removed, so the folder holds one per command.
 */
function writeCache(script, dir, file, command) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, file);
    for (const old of fs.readdirSync(dir))
      if (old.startsWith(`${command}-`) && old.endsWith(".v8") && path.join(dir, old) !== file)
        fs.rmSync(path.join(dir, old), { force: true });
  } catch {
    // A read-only home or a system user without one runs without a cache, as fast as before there was one.
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // nothing was written
    }
  }
}
