// `npm run bench [-- --lines N --runs 3 --only NAME[,NAME]]`: logward side by side with grep, swatchdog and GoAccess,
// then the live targets (append → action latency, idle files) beside tail -F | grep and swatchdog.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_LINES, ensureData } from "./generate.mjs";
import { buildCases, LITERAL, REGEX } from "./lib/cases.mjs";
import { buildMatchCases, MATCH_CASE_NAMES } from "./lib/match-cases.mjs";
import { findMeter } from "./lib/measure.mjs";
import { livePeers, measureLive } from "./lib/live.mjs";
import { measureWeb } from "./lib/web.mjs";
import { measureDiscord } from "./lib/discord.mjs";
import {
  describeMachine,
  describePeers,
  detectPeers,
  LOGWARD_BIN,
  logwardBuilt,
  ROOT,
  warmPrivateCodeCache,
} from "./lib/peers.mjs";
import { failures, liveSection, resultsTable, sectionTargetsTable, targetsTable, writeResults } from "./lib/report.mjs";
import { runCase } from "./lib/runner.mjs";

const CASE_NAMES = ["regex", "literal", "stats", "stats-hosts1m", "stats-w3c", "rss", ...MATCH_CASE_NAMES];
const USAGE = `usage: npm run bench -- [--lines N] [--runs N] [--only NAME[,NAME]] [--results FILE]
cases: regex, literal, stats, stats-hosts1m, stats-w3c, rss, live (= live-latency and live-idle), discord, web,
  ${MATCH_CASE_NAMES.join(", ")}`;

/**
 * Sections after the catch-up cases, each selectable by --only: run(context) resolves to { lines (Markdown for
 * RESULTS.md), printed (text for the terminal) }.
 */
const SECTIONS = [
  {
    names: ["live", "live-latency", "live-idle"],
    async run({ only, peers, workDir, log, runs }) {
      const parts = ["latency", "idle"].filter(
        (part) => !only || only.includes("live") || only.includes(`live-${part}`),
      );
      log(`\nLive: ${parts.join(" and ")} (logward run beside tail -F | grep, swatchdog, tail -F)`);
      const live = await measureLive({
        logwardArgv: [process.execPath, LOGWARD_BIN],
        peers: livePeers(peers),
        workDir,
        log,
        parts,
        rounds: runs,
      });
      const lines = liveSection(live);
      return { lines, printed: sectionTargetsTable(live.targets) };
    },
  },
  {
    names: ["discord"],
    async run({ workDir, log }) {
      log("\nDiscord: a backlog sent through a local server that answers like a Discord webhook");
      const d = await measureDiscord({ logwardArgv: [process.execPath, LOGWARD_BIN], workDir, log });
      const targets = [
        {
          target: "discord: a backlog packed to ≥ 90 % of the 2000-character limit",
          measured: `${(d.fill * 100).toFixed(1)} % (${d.lines} lines of 100 characters in ${d.messages} messages)`,
          met: d.fill >= 0.9,
        },
        {
          target: "discord: every line delivered once, in order",
          measured: `${d.inOrder ? "yes" : "no"}; ${d.rejected} requests answered 429; exit ${d.code}`,
          met: d.inOrder && d.code === 0,
        },
      ];
      const lines = [
        "## Discord backlog",
        "",
        "`logward run --once` sends a file of 1,000 lines to a `discord` action whose URL is a local server answering like a",
        `Discord webhook (5 requests per 250 ms bucket with X-RateLimit headers, 429 with retry_after beyond it); ${d.seconds.toFixed(1)} s in all.`,
        "",
        sectionTargetsTable(targets),
        "",
      ];
      return { lines, printed: sectionTargetsTable(targets) };
    },
  },
  {
    names: ["web"],
    async run({ log }) {
      const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
      if (!chromium) {
        log("\nWeb: skipped — no Chromium (Debian: apt-get install chromium)");
        return {
          lines: ["## Web", "", "Not measured: no Chromium on this machine (Debian: `apt-get install chromium`).", ""],
          printed: "",
        };
      }
      log("\nWeb: one headless Chromium tab on the live stream, and append → SSE latency");
      const web = await measureWeb({ logwardBin: LOGWARD_BIN, chromium, log });
      const targets = web.rows.map((r) => ({ target: `${r.case}: ${r.target}`, measured: r.measured, met: r.met }));
      const judged = targets.filter((t) => t.met !== null);
      const figures = targets
        .filter((t) => t.met === null)
        .map((t) => `- ${t.target.replace(/: \(figure\)$/, "")}: ${t.measured}`);
      const lines = [
        "## Web",
        "",
        "`logward run` with a web section follows a file appended at a fixed rate; one headless Chromium tab shows the live",
        "stream (`node bench/web.mjs` runs this part alone). A plain HTTP client measures append → SSE latency at a low rate,",
        "in 3 runs of a fresh daemon each: the first lines after it started, while V8 still compiles the hot path on",
        "background threads (they preempt the main thread on 2 cores), and then the same daemon in its steady state. A",
        "minimal Node SSE server (watch, read, write) measured the same way had p99 0.6–1.0 ms here.",
        "",
        ...figures,
        ...web.notes.map((n) => `- ${n}`),
        "",
        "### Web targets",
        "",
        sectionTargetsTable(judged),
        "",
      ];
      return { lines, printed: sectionTargetsTable(judged) };
    },
  },
];

function parseArgs(argv) {
  const opts = { lines: DEFAULT_LINES, runs: 3, only: undefined, results: path.join(ROOT, "bench", "RESULTS.md") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    }
    const value = argv[++i];
    if (flag === "--lines") opts.lines = Number(value);
    else if (flag === "--runs") opts.runs = Number(value);
    else if (flag === "--only") opts.only = value?.split(",");
    else if (flag === "--results") opts.results = path.resolve(value);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (!Number.isInteger(opts.lines) || opts.lines < 1000) throw new Error(`--lines: a whole number ≥ 1000\n${USAGE}`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1)
    throw new Error(`--runs: a whole number ≥ 1 (3 or more for a median)\n${USAGE}`);
  return opts;
}

/** The data files, generated once and kept in bench/data (a shorter file is a prefix of the longer one). */
function prepareData(lines) {
  const quarterLines = Math.round(lines / 4);
  return {
    combined: { file: ensureData({ lines }), lines, what: "combined format" },
    hosts1m: {
      file: ensureData({ lines, variant: "hosts1m" }),
      lines,
      what: `combined, ${Math.min(lines, 1e6).toLocaleString("en-US")} distinct client addresses`,
    },
    w3c: { file: ensureData({ lines, variant: "w3c" }), lines, what: "w3c-csv (plus its header line)" },
    quarter: {
      file: ensureData({ lines: quarterLines }),
      lines: quarterLines,
      what: "combined, the first quarter of the main file",
    },
  };
}

/** The catch-up cases and the sections --only selects (all without it), in a scratch folder removed afterwards. */
async function runSelected(opts, { meter, peers, log }) {
  const wanted = (name) => !opts.only || opts.only.includes(name);
  const sectionNames = SECTIONS.flatMap((s) => s.names);
  const unknown = (opts.only ?? []).filter((name) => !CASE_NAMES.includes(name) && !sectionNames.includes(name));
  if (unknown.length) throw new Error(`--only: no case named ${unknown.join(", ")}\n${USAGE}`);
  const throughput = !opts.only || opts.only.some((name) => CASE_NAMES.includes(name));
  // Issue 16's cases read only the combined file: do not generate the others for them alone.
  const matchOnly = opts.only?.every((name) => MATCH_CASE_NAMES.includes(name)) === true;
  const data = !throughput
    ? {}
    : matchOnly
      ? { combined: { file: ensureData({ lines: opts.lines }), lines: opts.lines, what: "combined format" } }
      : prepareData(opts.lines);
  const all = !throughput
    ? []
    : matchOnly
      ? buildMatchCases({ peers, data })
      : [...buildCases({ peers, data }), ...buildMatchCases({ peers, data })];
  const cases = all.filter((c) => wanted(c.name));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-bench-"));
  const done = [];
  const measured = [];
  try {
    warmPrivateCodeCache(workDir);
    for (const testCase of cases) {
      log(`\n${testCase.title}`);
      done.push({ testCase, results: runCase(testCase, { meter, runs: opts.runs, workDir, log }) });
    }
    for (const section of SECTIONS.filter((s) => s.names.some(wanted)))
      measured.push(await section.run({ only: opts.only, peers, workDir, log, runs: opts.runs }));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return { done, measured, data };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(line + "\n");
  const started = new Date();
  const meter = findMeter();
  const peers = detectPeers();
  const peerLines = describePeers(peers);
  log("Peers (nothing is installed by this harness):");
  for (const line of peerLines) log(line);
  if (!logwardBuilt())
    log("logward is not built (dist/cli/main.js missing): run `npm install` or `npm run build`; its rows will fail.");
  const machine = describeMachine();
  log(
    `Machine: ${machine.nproc} cores, ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, logward ${machine.logward}, load ${machine.load}`,
  );
  log(`Patterns: regex /${REGEX}/  literal "${LITERAL}"`);

  const { done, measured, data } = await runSelected(opts, { meter, peers, log });
  machine.loadEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  if (done.length) log("\n" + resultsTable(done) + "\n\n" + targetsTable(done) + "\n");
  for (const section of measured) log("\n" + section.printed + "\n");
  for (const line of failures(done)) log(line);
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, "");
  writeResults(opts.results, {
    command,
    started,
    finished: new Date(),
    machine,
    meter,
    peerLines,
    done,
    runs: opts.runs,
    data: Object.values(data),
    sections: measured.map((section) => section.lines),
  });
  log(`Wrote ${path.relative(process.cwd(), opts.results)}`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 2;
});
