// `npm run bench [-- --lines N --runs 3 --only NAME[,NAME]]`: logward side by side with grep, swatchdog and GoAccess.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_LINES, ensureData } from "./generate.mjs";
import { buildCases, LITERAL, REGEX } from "./lib/cases.mjs";
import { findMeter } from "./lib/measure.mjs";
import { describeMachine, describePeers, detectPeers, logwardBuilt, ROOT } from "./lib/peers.mjs";
import { failures, resultsTable, targetsTable, writeResults } from "./lib/report.mjs";
import { runCase } from "./lib/runner.mjs";

const USAGE = `usage: npm run bench -- [--lines N] [--runs N] [--only NAME[,NAME]] [--results FILE]
cases: regex, literal, stats, stats-hosts1m, stats-w3c, rss`;

function parseArgs(argv) {
  const opts = { lines: DEFAULT_LINES, runs: 3, only: undefined, results: path.join(ROOT, "bench", "RESULTS.md") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (flag === "--lines") opts.lines = Number(value);
    else if (flag === "--runs") opts.runs = Number(value);
    else if (flag === "--only") opts.only = value?.split(",");
    else if (flag === "--results") opts.results = path.resolve(value);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (!Number.isInteger(opts.lines) || opts.lines < 1000) throw new Error(`--lines: a whole number ≥ 1000\n${USAGE}`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error(`--runs: a whole number ≥ 1 (3 or more for a median)\n${USAGE}`);
  return opts;
}

/** The data files, generated once and kept in bench/data (a shorter file is a prefix of the longer one). */
function prepareData(lines) {
  const quarterLines = Math.round(lines / 4);
  return {
    combined: { file: ensureData({ lines }), lines, what: "combined format" },
    hosts1m: { file: ensureData({ lines, variant: "hosts1m" }), lines, what: `combined, ${Math.min(lines, 1e6).toLocaleString("en-US")} distinct client addresses` },
    w3c: { file: ensureData({ lines, variant: "w3c" }), lines, what: "w3c-csv (plus its header line)" },
    quarter: { file: ensureData({ lines: quarterLines }), lines: quarterLines, what: "combined, the first quarter of the main file" },
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(line + "\n");
  const started = new Date();
  const meter = findMeter();
  const peers = detectPeers();
  const peerLines = describePeers(peers);
  log("Peers (nothing is installed by this harness):");
  for (const line of peerLines) log(line);
  if (!logwardBuilt()) log("logward is not built (dist/cli/main.js missing): run `npm install` or `npm run build`; its rows will fail.");
  const machine = describeMachine();
  log(`Machine: ${machine.nproc} cores, ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, logward ${machine.logward}, load ${machine.load}`);
  log(`Patterns: regex /${REGEX}/  literal "${LITERAL}"`);

  const data = prepareData(opts.lines);
  const cases = buildCases({ peers, data }).filter((c) => !opts.only || opts.only.includes(c.name));
  if (cases.length === 0) throw new Error(`--only matched no case\n${USAGE}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-bench-"));
  const done = [];
  try {
    for (const testCase of cases) {
      log(`\n${testCase.title}`);
      done.push({ testCase, results: runCase(testCase, { meter, runs: opts.runs, workDir, log }) });
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  machine.loadEnd = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  log("\n" + resultsTable(done) + "\n\n" + targetsTable(done) + "\n");
  for (const line of failures(done)) log(line);
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, "");
  writeResults(opts.results, { command, started, finished: new Date(), machine, meter, peerLines, done, runs: opts.runs, data: Object.values(data) });
  log(`Wrote ${path.relative(process.cwd(), opts.results)}`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 2;
}
