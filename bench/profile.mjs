// `node bench/profile.mjs [--lines N] [--top N] [--stats-variant combined|hosts1m|w3c]`: --cpu-prof of the two hot paths (run --once, stats --replay), top self time.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DATA_DIR, DEFAULT_LINES, ensureData } from "./generate.mjs";
import { REGEX } from "./lib/cases.mjs";
import { LOGWARD_BIN, ROOT } from "./lib/peers.mjs";

/** Self time per sample node: each time delta belongs to the sample before it. */
function selfTimes(profile) {
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const delta = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + delta);
  }
  return self;
}

const shortUrl = (url) => {
  if (!url) return "(native)";
  const file = url.replace(/^file:\/\//, "");
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
};

/** Self time (ms) by function (name, file, line) and by file, largest first. */
export function summariseProfile(profile) {
  const self = selfTimes(profile);
  const byFunction = new Map();
  const byFile = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = shortUrl(url);
    const key = `${functionName || "(anonymous)"}  ${file}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const group = file.startsWith("node_modules/") ? file.split("/").slice(0, 2).join("/") : file;
    byFile.set(group, (byFile.get(group) ?? 0) + us);
  }
  const sorted = (map) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ what: k, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: sorted(byFunction), files: sorted(byFile) };
}

function profileRun(name, args, dir) {
  const profDir = path.join(dir, name);
  fs.rmSync(profDir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${profDir}`, LOGWARD_BIN, "--log-format", "json", ...args],
    { encoding: "utf8", maxBuffer: 1 << 28 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
  const file = fs.readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  return {
    name,
    seconds,
    file: path.join(profDir, file),
    summary: summariseProfile(JSON.parse(fs.readFileSync(path.join(profDir, file), "utf8"))),
  };
}

/** A second, unprofiled run with the memprobe preload: peak RSS split into V8 heap, external strings and buffers. */
function memoryRun(args) {
  const probe = path.join(ROOT, "bench", "lib", "memprobe.mjs");
  const r = spawnSync(process.execPath, ["--import", probe, LOGWARD_BIN, "--log-format", "json", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return r.stderr.split("\n").find((l) => l.startsWith("memprobe")) ?? `memprobe: no report (exit ${r.status})`;
}

function print({ name, seconds, file, summary, memory }, top) {
  const pct = (s) => `${(s * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    `\n## ${name}: ${seconds.toFixed(2)} s wall, ${(summary.totalMs / 1000).toFixed(2)} s sampled (${path.relative(ROOT, file)})\n`,
  );
  process.stdout.write(`${memory}\n`);
  process.stdout.write("\nself time by function:\n");
  for (const f of summary.functions.slice(0, top))
    process.stdout.write(`${pct(f.share)} ${f.ms.toFixed(0).padStart(6)} ms  ${f.what}\n`);
  process.stdout.write("\nself time by file:\n");
  for (const f of summary.files.slice(0, top))
    process.stdout.write(`${pct(f.share)} ${f.ms.toFixed(0).padStart(6)} ms  ${f.what}\n`);
}

/** Profile and measure `run --once` on the combined file (a regex rule, a file action). */
function catchUpProfile(file, dir, top) {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, "logward.json");
  fs.rmSync(path.join(dir, "state"), { recursive: true, force: true });
  fs.rmSync(path.join(dir, "matches.ndjson"), { force: true });
  fs.writeFileSync(
    config,
    JSON.stringify({
      state_dir: path.join(dir, "state"),
      log: { level: "warn" },
      sources: { access: { path: file, start_at: "beginning" } },
      rules: { bench: { source: "access", match: `/${REGEX}/`, actions: ["record"] } },
      actions: { record: { type: "file", path: path.join(dir, "matches.ndjson") } },
    }),
  );
  const runArgs = ["run", "--once", "-c", config];
  const catchUp = profileRun("run --once (regex rule)", runArgs, dir);
  fs.rmSync(path.join(dir, "state"), { recursive: true, force: true });
  print({ ...catchUp, memory: memoryRun(runArgs) }, top);
}

function main() {
  const argv = process.argv.slice(2);
  const option = (flag, fallback) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : fallback);
  const lines = Number(option("--lines", DEFAULT_LINES));
  const top = Number(option("--top", 25));
  const variant = option("--stats-variant", "combined");
  if (!["combined", "hosts1m", "w3c"].includes(variant)) throw new Error(`--stats-variant: ${variant}?`);
  const dir = path.join(DATA_DIR, "prof");
  fs.mkdirSync(dir, { recursive: true });
  if (variant === "combined") catchUpProfile(ensureData({ lines }), dir, top);
  const statsFile = ensureData({ lines, variant });
  const statsArgs = ["stats", statsFile, "--replay", "--json", "--format", variant === "w3c" ? "w3c-csv" : "combined"];
  print({ ...profileRun(`stats --replay (${variant})`, statsArgs, dir), memory: memoryRun(statsArgs) }, top);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`profile: ${err.message}\n`);
    process.exitCode = 1;
  }
}
