// The results as Markdown tables (printed, and written to bench/RESULTS.md with the machine's description).
import fs from "node:fs";
import path from "node:path";
import { fmt, kLines } from "./cases.mjs";

const table = (header, rows) =>
  [`| ${header.join(" | ")} |`, `| ${header.map((h, i) => (i === 0 || i === 1 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** One row per contender of each case; peers' rows say how logward's speed compares (> 1× is logward faster). */
export function resultsTable(done) {
  const rows = [];
  for (const { testCase, results } of done) {
    const mine = Object.values(results).find((r) => r.tool === "logward");
    for (const r of Object.values(results)) {
      const ratio = r.tool !== "logward" && testCase.name !== "rss" && mine?.seconds && r.seconds ? `${fmt(r.seconds / mine.seconds)}×` : "";
      rows.push([
        testCase.name, r.error ? `${r.name} (FAILED)` : r.name, kLines(r.lines), fmt(r.seconds, 3), fmt(r.best, 3), kLines(r.linesPerSec),
        fmt(r.cpu), fmt(r.rssMB, 0), r.correct ?? "", ratio,
      ]);
    }
  }
  return table(["case", "command", "lines", "median s", "best s", "lines/s", "CPU s", "peak RSS MB", "count check", "logward speed ÷ this"], rows);
}

export function targetsTable(done) {
  const rows = done.flatMap(({ testCase, results }) => testCase.targets(results)).map((t) => [t.target, String(t.measured), t.met ? "yes" : "**no**"]);
  return table(["target (issue 9)", "measured", "met?"], rows);
}

export function failures(done) {
  return done.flatMap(({ results }) => Object.values(results).filter((r) => r.error).map((r) => `- ${r.name}: ${r.error}`));
}

/** bench/RESULTS.md: when, on what, with which command, and the two tables. */
export function writeResults(file, { command, started, finished, machine, meter, peerLines, done, runs, data }) {
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
    "  of each file (warm page cache).",
    "",
    "## Peers",
    "",
    ...peerLines,
    "",
    "## Data (bench/generate.mjs, seeded, git-ignored under bench/data/)",
    "",
    ...data.map((d) => `- ${path.basename(d.file)}: ${d.lines.toLocaleString("en-US")} lines, ${(fs.statSync(d.file).size / 1e6).toFixed(0)} MB — ${d.what}`),
    "",
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
  const failed = failures(done);
  if (failed.length) lines.push("## Failures", "", ...failed, "");
  fs.writeFileSync(file, lines.join("\n"));
}
