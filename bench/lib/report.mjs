// The results as Markdown tables (printed, and written to bench/RESULTS.md with the machine's description).
import fs from "node:fs";
import path from "node:path";
import { fmt, kLines } from "./cases.mjs";

/** A cell's text with its pipes escaped ("tail -F | grep" would otherwise split the cell). */
const cell = (text) => String(text).replaceAll("|", "\\|");

export const table = (header, rows) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map((h, i) => (i === 0 || i === 1 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");

/** One row per contender of each case; peers' rows say how logward's speed compares (> 1× is logward faster). */
export function resultsTable(done) {
  const rows = [];
  for (const { testCase, results } of done) {
    const mine = Object.values(results).find((r) => r.tool === "logward");
    for (const r of Object.values(results)) {
      const ratio =
        r.tool !== "logward" && testCase.name !== "rss" && mine?.seconds && r.seconds
          ? `${fmt(r.seconds / mine.seconds)}×`
          : "";
      rows.push([
        testCase.name,
        r.error ? `${r.name} (FAILED)` : r.name,
        kLines(r.lines),
        fmt(r.seconds, 3),
        fmt(r.best, 3),
        kLines(r.linesPerSec),
        fmt(r.cpu),
        fmt(r.rssMB, 0),
        r.correct ?? "",
        ratio,
      ]);
    }
  }
  return table(
    [
      "case",
      "command",
      "lines",
      "median s",
      "best s",
      "lines/s",
      "CPU s",
      "peak RSS MB",
      "count check",
      "logward speed ÷ this",
    ],
    rows,
  );
}

export function targetsTable(done) {
  // A case may judge itself against another of the same run (issue 16: 1,000 rules against 10).
  const byName = Object.fromEntries(done.map(({ testCase, results }) => [testCase.name, results]));
  const rows = done
    .flatMap(({ testCase, results }) => testCase.targets(results, byName))
    .map((t) => [t.target, String(t.measured), t.met ? "yes" : "**no**"]);
  return table(["target", "measured", "met?"], rows);
}

export function failures(done) {
  return done.flatMap(({ results }) =>
    Object.values(results)
      .filter((r) => r.error)
      .map((r) => `- ${r.name}: ${r.error}`),
  );
}

const ms = (v) => (v === undefined ? "n/a" : v.toFixed(2));

/** Append → reaction latency, one row per contender (pooled over its runs). */
export function liveLatencyTable(latency) {
  const rows = latency.map((r) => [
    r.name,
    r.note,
    String(r.rate ?? ""),
    String(r.samples),
    String(r.missing),
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.max),
    r.p99PerRun.length > 1 ? r.p99PerRun.map(ms).join(" / ") : "",
    r.cpuMsPerKLine === undefined ? "" : r.cpuMsPerKLine.toFixed(0),
  ]);
  return table(
    [
      "contender",
      "measured from the append to",
      "lines/s",
      "samples",
      "missing",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "max ms",
      "p99 per run",
      "CPU ms per 1k lines",
    ],
    rows,
  );
}

/** CPU and memory of readers left alone with many quiet files. */
export function liveIdleTable(idle) {
  const rows = idle.map((r) => [
    r.name,
    `${r.files.toLocaleString("en-US")} files, ${r.dirs} folder${r.dirs === 1 ? "" : "s"}`,
    r.cpuPercent.toFixed(2),
    r.busiestSecondPercent.toFixed(0),
    r.rssMB.toFixed(0),
    r.hwmMB.toFixed(0),
    r.seconds.toFixed(0),
  ]);
  return table(["reader", "tailing", "CPU % of a core", "busiest second %", "RSS MB", "peak RSS MB", "seconds"], rows);
}

/** A section's targets (the live ones, later the web ones) as a table. */
export function sectionTargetsTable(targets) {
  return table(
    ["target (issue 9)", "measured", "met?"],
    targets.map((t) => [t.target, String(t.measured), t.met ? "yes" : "**no**"]),
  );
}

/** How the latency rows were measured (RESULTS.md text). */
function latencyAbout(settings) {
  return [
    "`logward run` (not --once) follows a file; lines are appended one write at a time, each with a sequence number, at",
    `about the rate shown (±50 % jitter), ${settings.samples} measured lines per contender and run after ${settings.warmup} unmeasured ones`,
    `(${settings.rounds} run${settings.rounds === 1 ? "" : "s"} each, alternating). Append and arrival times share one monotonic clock in the bench process: a`,
    "`file` action's output and grep's stdout are watched there (inotify, a pipe); an exec'd command records its own start",
    "with `date +%s%N` (realtime, bridged to the monotonic clock), so exec figures include starting /bin/sh and date — an",
    'upper bound on "exec start", the same for logward and swatchdog. The floors are the bench process doing the least',
    "possible itself (its own watch; its own watch plus a spawn of the same command). CPU is the contender's processes",
    "during the measured lines (not the exec'd commands). On this shared machine p99 and max mostly measure how long a",
    "runnable process waits for a core: compare rows of the same run, and the p50.",
    "",
  ];
}

/** How the idle rows were measured (RESULTS.md text). */
function idleAbout(settings) {
  return [
    `Idle: ${settings.idleFiles.toLocaleString("en-US")} files with two lines each, the reader started on them and shown to react (a probe line`,
    `appended to the last file reaches its output), then ${settings.idleSeconds} s of /proc/PID/stat (user + system, all threads) and VmRSS`,
    "sampled every second; peak RSS is VmHWM (since start).",
    "",
  ];
}

/** The "Live" section of RESULTS.md: how it was measured, the latency and idle tables, its targets. */
export function liveSection(live) {
  const { settings } = live;
  const peers = Object.entries(live.peers).map(
    ([name, file]) => `${name} ${file ?? "MISSING (its rows are left out)"}`,
  );
  const lines = [
    "## Live",
    "",
    `Measured by bench/lib/live.mjs (\`node bench/live.mjs\` runs only this). Peers: ${peers.join(", ")}.`,
    "",
  ];
  if (live.latency.length) lines.push(...latencyAbout(settings), liveLatencyTable(live.latency), "");
  if (live.idle.length) lines.push(...idleAbout(settings), liveIdleTable(live.idle), "");
  if (live.targets.length) lines.push("### Live targets", "", sectionTargetsTable(live.targets), "");
  return lines;
}

/** The catch-up and stats cases: their results and targets. */
function throughputSection(done) {
  return [
    "## Results",
    "",
    "lines/s is the file's lines over the median wall time of the whole process, start-up included; best s is the fastest",
    "run (other work on the machine only ever adds time). CPU s is user + system time (median), the steadiest figure",
    "between runs here: a wall time well above it means the process waited for a core (the machine is shared) or for I/O.",
    "GoAccess's speed depends on the data: it slows down as its tables of distinct URLs and visitors grow (a quarter of the",
    "generated requests have a URL of their own), so the targets also compare logward with issue 9's GoAccess figure.",
    "",
    resultsTable(done),
    "",
    "## Targets",
    "",
    targetsTable(done),
    "",
  ];
}

/** bench/RESULTS.md: when, on what, with which command, and the two tables. */
export function writeResults(
  file,
  { command, started, finished, machine, meter, peerLines, done, runs, data, sections = [] },
) {
  const lines = [
    "# Benchmark results",
    "",
    `Written by \`${command}\` (bench/run.mjs), ${started.toISOString()} → ${finished.toISOString()}.`,
    "Do not edit by hand: run the command again.",
    "",
    "## Machine",
    "",
    `- ${machine.nproc} cores: ${machine.cpu}; ${machine.memoryGiB} GiB memory; ${machine.kernel}`,
    `- Node ${machine.node}; logward ${machine.logward}`,
    `- Load average at start ${machine.load}, at end ${machine.loadEnd}. This machine is shared with other engineers building and`,
    "  testing at the same time (2 cores), so absolute figures are noisy; the runs alternate between logward and its peers so",
    "  that a busy moment hits both, and each figure is the median of the runs.",
    `- Measured with a ${meter.describe}: wall time and peak RSS of the whole process, ${runs} runs each, after one untimed read`,
    "  of each file (warm page cache), with logward's V8 code cache in a folder of the run's own, warmed by one untimed start of",
    "  each command.",
    "",
    "## Peers",
    "",
    ...peerLines,
    "",
  ];
  if (data.length) {
    lines.push(
      "## Data (bench/generate.mjs, seeded, git-ignored under bench/data/)",
      "",
      ...data.map(
        (d) =>
          `- ${path.basename(d.file)}: ${d.lines.toLocaleString("en-US")} lines, ${(fs.statSync(d.file).size / 1e6).toFixed(0)} MB — ${d.what}`,
      ),
      "",
    );
  }
  if (done.length) lines.push(...throughputSection(done));
  // Sections measured by other modules (live; web to come), each a list of Markdown lines.
  for (const section of sections) lines.push(...section);
  const failed = failures(done);
  if (failed.length) lines.push("## Failures", "", ...failed, "");
  fs.writeFileSync(file, lines.join("\n"));
}
