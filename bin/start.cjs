// Runs the CLI bundle (dist/bundle/logward.cjs) through V8's code cache, kept per command beside the bundle.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const BUNDLE = path.join(__dirname, "..", "dist", "bundle", "logward.cjs");
const CACHE_DIR = path.join(path.dirname(BUNDLE), "cache");

/**
 * Run the CLI as `name` with argv. The first run of a command writes what V8 compiled for it to a cache file
 * (when the folder is writable); later runs of that command load it instead of compiling. The file's name holds
 * the bundle's content hash (its first line, written by scripts/bundle.mjs) and Node's version, since V8 itself
 * checks little more than the source's length.
 */
exports.start = function start(name, argv) {
  const source = fs.readFileSync(BUNDLE, "utf8");
  const cacheFile = path.join(
    CACHE_DIR,
    `${commandOf(name, argv)}-${bundleHash(source)}-${process.version}-${process.arch}.v8`,
  );
  const cachedData = readIfThere(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  if (!cachedData || script.cachedDataRejected) process.once("exit", () => writeCache(script, cacheFile));
  const bundle = { exports: {} };
  script
    .runInThisContext()
    .call(bundle.exports, bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, path.dirname(BUNDLE));
  return bundle.exports.main(argv, name);
};

/** logward's options before the command that take a value (src/cli/main.ts; start-cache.test.ts checks the list). */
const OPTIONS_WITH_VALUE = new Set(["--log-level", "--log-format", "--state-dir"]);
exports.OPTIONS_WITH_VALUE = OPTIONS_WITH_VALUE;

/** The command word (`run`, `stats`…), which decides what code runs; anything else shares one cache. */
function commandOf(name, argv) {
  let word;
  for (let i = 0; i < argv.length && word === undefined; i++) {
    const arg = argv[i];
    if (OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) word = arg;
  }
  return /^[a-z][a-z0-9-]{0,30}$/.test(word ?? "") ? `${name}-${word}` : `${name}-other`;
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

/** Written whole under a temporary name, then renamed: a start that reads it never sees half a file. */
function writeCache(script, file) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, file);
  } catch {
    // A read-only install runs without a cache, as fast as before there was one.
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // nothing was written
    }
  }
}
