// The live targets of issue 9: append → file action and → exec start latency (beside tail -F | grep and swatchdog),
// and the idle cost of 1,000 tailed files (beside tail -F). Used by bench/run.mjs and bench/live.mjs.
import fs from "node:fs";
import { runLatency, summariseLatency } from "./live-latency.mjs";
import { logwardLive, spawnFloor, swatchdogExec, tailGrep, watchFloor } from "./live-contenders.mjs";
import { logwardIdle, runIdle, tailIdle } from "./live-idle.mjs";
import { which } from "./measure.mjs";

export const LIVE_DEFAULTS = {
  /** Measured lines per contender and run (p99 needs ≥ 1,000). */
  samples: 1000,
  /** Lines appended before the measured ones, not counted (JIT, first writes, caches). */
  warmup: 100,
  /** Appends per second for the file action and tail -F | grep (each a write of its own, ±50 % jitter). */
  rate: 150,
  /**
   * Appends per second for exec: one command per matching line, and both logward (one run at a time per rule) and
   * swatchdog (it waits for each command) queue behind a slow start, so the rate is a realistic alert rate.
   */
  execRate: 50,
  /**
   * Runs of each contender, alternating their order. The table pools their samples; the targets take the median of
   * the runs' p99, so one burst of other work on this shared machine does not decide them (`npm run bench` passes --runs).
   */
  rounds: 3,
  idleFiles: 1000,
  idleSeconds: 30,
  /** Folder layouts for the idle files: one folder, and 100 folders of 10. */
  idleDirs: [1, 100],
};

export const TARGETS = { fileP99Ms: 2, execP99Ms: 5, idleCpuPercent: 1, idleRssMB: 100 };

/** Paths of the live peers (undefined when missing): tail and grep from coreutils/grep, swatchdog from Debian's swatch. */
export function livePeers(peers = {}) {
  const find = (name, ...candidates) => candidates.find((c) => fs.existsSync(c)) ?? which(name);
  return {
    tail: find("tail", "/usr/bin/tail", "/bin/tail"),
    grep: peers.grep?.path ?? find("grep", "/usr/bin/grep", "/bin/grep"),
    swatchdog: peers.swatchdog?.path ?? find("swatchdog", "/usr/bin/swatchdog"),
  };
}

/**
 * Which contenders are measured: logward's two actions, the peers where installed, and the floors; with
 * `baselineArgv` another logward build beside each logward row (A/B in one run); `only` keeps contenders whose kind
 * ("file", "exec") or slug it names.
 */
function latencyContenders({ logwardArgv, peers, baselineArgv, only }) {
  const baseline = (kind) =>
    baselineArgv ? [logwardLive({ logwardArgv: baselineArgv, kind, label: "baseline" })] : [];
  const list = [logwardLive({ logwardArgv, kind: "file" }), ...baseline("file")];
  if (peers.tail && peers.grep) list.push(tailGrep({ tail: peers.tail, grep: peers.grep }));
  list.push(watchFloor(), logwardLive({ logwardArgv, kind: "exec" }), ...baseline("exec"));
  if (peers.swatchdog) list.push(swatchdogExec({ swatchdog: peers.swatchdog }));
  list.push(spawnFloor());
  return only ? list.filter((c) => only.includes(c.kind) || only.includes(c.slug)) : list;
}

/**
 * Measure the live targets. `peers` holds paths (undefined when missing) of tail, grep and swatchdog; `parts` selects
 * "latency" and/or "idle". Returns { latency: [summary], idle: [row], targets: [{ target, measured, met }], settings }.
 */
export async function measureLive({
  logwardArgv,
  peers,
  workDir,
  log = () => {},
  parts = ["latency", "idle"],
  baselineArgv,
  only,
  ...options
}) {
  const settings = { ...LIVE_DEFAULTS, ...options };
  const latency = parts.includes("latency")
    ? await measureLatencies({ logwardArgv, peers, workDir, log, settings, baselineArgv, only })
    : [];
  const idle = parts.includes("idle") ? await measureIdle({ logwardArgv, peers, workDir, log, settings }) : [];
  return { latency, idle, targets: liveTargets(latency, idle), settings, peers };
}

async function measureLatencies({ logwardArgv, peers, workDir, log, settings, baselineArgv, only }) {
  const contenders = latencyContenders({ logwardArgv, peers, baselineArgv, only });
  const runs = new Map(contenders.map((c) => [c, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const rate = contender.kind === "exec" ? settings.execRate : settings.rate;
      const run = await runLatency(contender, {
        samples: settings.samples,
        warmup: settings.warmup,
        rate,
        workDir,
        seed: 9 + round,
      });
      runs.get(contender).push({ ...run, rate });
      const s = summariseLatency(contender, [run]);
      log(
        `  live round ${round + 1}/${settings.rounds}  ${contender.name.padEnd(44)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)} ms  (${s.samples} at ${rate}/s, ${s.missing} missing)`,
      );
    }
  }
  return contenders.map((c) => ({ ...summariseLatency(c, runs.get(c)), rate: runs.get(c)[0]?.rate }));
}

async function measureIdle({ logwardArgv, peers, workDir, log, settings }) {
  const contenders = [logwardIdle({ logwardArgv })];
  if (peers.tail) contenders.push(tailIdle({ tail: peers.tail }));
  const rows = [];
  for (const dirs of settings.idleDirs) {
    for (const contender of contenders) {
      const r = await runIdle(contender, { files: settings.idleFiles, dirs, seconds: settings.idleSeconds, workDir });
      const row = { name: contender.name, tool: contender.tool, files: settings.idleFiles, dirs, ...r };
      rows.push(row);
      log(
        `  idle  ${contender.name.padEnd(12)} ${settings.idleFiles} files in ${dirs} folder(s): ${row.cpuPercent.toFixed(2)} % CPU (busiest second ${row.busiestSecondPercent.toFixed(0)} %), RSS ${row.rssMB.toFixed(0)} MB, peak ${row.hwmMB.toFixed(0)} MB`,
      );
    }
  }
  return rows;
}

const ms = (v) => (v === undefined ? "n/a" : v.toFixed(2));

/** The live targets, logward's figure beside the peer's. */
export function liveTargets(latency, idle) {
  const rows = [];
  const find = (name) => latency.find((r) => r.name === name);
  const latencyTarget = (kind, limit, peerName) => {
    const mine = find(`logward run → ${kind} action`);
    if (!mine) return;
    const peer = find(peerName);
    const peerText = peer ? `; ${peerName}: p99 ${ms(peer.p99Median)} ms` : "";
    const label = kind === "file" ? "`file` action" : "exec start";
    const runs =
      mine.p99PerRun.length > 1 ? `median of ${mine.p99PerRun.length} runs' p99; pooled p99 ${ms(mine.p99)}, ` : "";
    rows.push({
      target: `live: append → ${label} p99 ≤ ${limit} ms`,
      measured: `p99 ${ms(mine.p99Median)} ms (${runs}p50 ${ms(mine.p50)}, max ${ms(mine.max)})${peerText}`,
      met: mine.p99Median <= limit,
    });
    rows.push({
      target: `live: every appended line reached the ${kind} action`,
      measured: `${mine.samples} of ${mine.samples + mine.missing}`,
      met: mine.missing === 0 && mine.samples > 0,
    });
  };
  latencyTarget("file", TARGETS.fileP99Ms, "tail -F | grep --line-buffered");
  latencyTarget("exec", TARGETS.execP99Ms, "swatchdog exec");
  for (const row of idle.filter((r) => r.tool === "logward")) {
    const peer = idle.find((r) => r.tool !== "logward" && r.dirs === row.dirs);
    const where = `${row.files.toLocaleString("en-US")} idle files in ${row.dirs} folder${row.dirs === 1 ? "" : "s"}`;
    const peerCpu = peer ? `; ${peer.name}: ${peer.cpuPercent.toFixed(2)} %` : "";
    const peerRss = peer ? `; ${peer.name}: ${peer.rssMB.toFixed(0)} MB` : "";
    rows.push({
      target: `live: ${where} < ${TARGETS.idleCpuPercent} % CPU`,
      measured: `${row.cpuPercent.toFixed(2)} % (busiest second ${row.busiestSecondPercent.toFixed(0)} %)${peerCpu}`,
      met: row.cpuPercent < TARGETS.idleCpuPercent,
    });
    rows.push({
      target: `live: ${where} ≤ ${TARGETS.idleRssMB} MB RSS`,
      measured: `${row.rssMB.toFixed(0)} MB (peak since start ${row.hwmMB.toFixed(0)} MB)${peerRss}`,
      met: row.rssMB <= TARGETS.idleRssMB,
    });
  }
  return rows;
}
