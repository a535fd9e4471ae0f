// `node bench/fleet.mjs [--events N] [--runs N]`: events/s through agent → NATS JetStream → one and two analysers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  describeFleetMachine,
  findNatsServer,
  OutputTracker,
  ROOT,
  sleep,
  startLogward,
  startNatsServer,
  startPublisher,
  waitForJs,
  withJsm,
  cpuSeconds,
} from "./fleet-lib.mjs";
import { fmt, resultsTable, writeResults } from "./fleet-report.mjs";

const STREAM = "LOGS";
const CONSUMER = "analysers";
const USAGE = "usage: node bench/fleet.mjs [--events N] [--runs N] [--results FILE]";

/**
 * agent: "live" runs with the analysers, "before" fills the stream first (untimed), "alone" has no analyser,
 * "publisher" is the minimal nats.js publisher (bench/fleet-publisher.mjs) in the agent's place, with no analyser.
 */
const SCENARIOS = [
  { title: "agent → NATS → 1 analyser", agent: "live", analysers: 1 },
  { title: "agent → NATS → 2 analysers", agent: "live", analysers: 2 },
  { title: "agent → NATS (no analyser)", agent: "alone", analysers: 0 },
  {
    title: "minimal nats.js publisher → NATS, 1,000 lines per message, 64 awaiting PubAck",
    agent: "publisher",
    publisher: [1000, 64],
    analysers: 0,
  },
  {
    title: "minimal nats.js publisher → NATS, 1 line per message, 256 awaiting PubAck",
    agent: "publisher",
    publisher: [1, 256],
    analysers: 0,
  },
  { title: "NATS → 1 analyser (stream filled first)", agent: "before", analysers: 1 },
  { title: "NATS → 2 analysers (stream filled first)", agent: "before", analysers: 2 },
];

function parseArgs(argv) {
  const opts = { events: 100_000, runs: 3, results: path.join(ROOT, "bench", "FLEET.md") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (flag === "--events") opts.events = Number(value);
    else if (flag === "--runs") opts.runs = Number(value);
    else if (flag === "--results") opts.results = path.resolve(value);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (!Number.isInteger(opts.events) || opts.events < 1) throw new Error(`--events: a whole number ≥ 1\n${USAGE}`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1)
    throw new Error(`--runs: a whole number ≥ 1 (3 or more for a median)\n${USAGE}`);
  return opts;
}

/** The agent's input: numbered lines shaped like an application log (about 90 bytes each). */
function writeLog(file, events) {
  const out = fs.openSync(file, "w");
  const base = Date.parse("2026-11-21T05:00:00Z");
  const chunk = [];
  for (let n = 1; n <= events; n++) {
    chunk.push(
      `${new Date(base + n).toISOString()} web1 app[4242]: event ${n} GET /api/users/${n % 977} 200 ${n % 250}ms\n`,
    );
    if (chunk.length === 10_000 || n === events) fs.writeSync(out, chunk.splice(0).join(""));
  }
  fs.closeSync(out);
}

const agentConfig = (dir, url, log) => [
  `state_dir: ${dir}/agent-state`,
  `sources: { app: { path: "${log}", start_at: beginning } }`,
  "rules: { ship: { source: app, actions: [bus] } }",
  `actions: { bus: { type: nats, servers: "${url}", stream: ${STREAM}, subject: "logs.{source}" } }`,
];

const analyserConfig = (dir, url, name, output) => [
  `state_dir: ${dir}/${name}-state`,
  `sources: { shared: { type: nats, servers: "${url}", stream: ${STREAM}, consumer: ${CONSUMER} } }`,
  "rules: { all: { source: shared, actions: [out] } }",
  `actions: { out: { type: file, path: "${output}" } }`,
];

/**
 * The stream holds every line once its last message holds the last one: one publisher on one connection, so the
 * server stored its messages in the order they were sent (the run's line count is checked afterwards).
 */
const streamHolds = (events) => async (jsm) => {
  const last = await jsm.streams.getMessage(STREAM, { last_by_subj: "logs.app" });
  return last !== null && last.string().includes(` event ${events} `);
};

/** Lines in the stream: each message is one line, or a batch (logward's, or the minimal publisher's array). */
async function linesInStream(jsm) {
  const { state } = await jsm.streams.info(STREAM);
  let lines = 0;
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const body = (await jsm.streams.getMessage(STREAM, { seq }))?.json();
    lines += Array.isArray(body) ? body.length : Array.isArray(body?.lines) ? body.lines.length : 1;
  }
  return lines;
}

/** Poll the trackers until every event number is in some analyser's output; returns when the first arrived. */
async function untilEveryEvent(trackers, events, started, timeoutMs) {
  let unique = 0;
  let first;
  while (unique < events) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`only ${unique} of ${events} events at the analysers after ${timeoutMs / 1000} s`);
    await sleep(20);
    for (const tracker of trackers) unique += tracker.poll();
    if (first === undefined && unique > 0) first = performance.now();
  }
  return first;
}

/** One measured run of a scenario, on a fresh server and fresh state. */
async function runOnce(scenario, { events, log, natsServer, timeoutMs }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-fleet-bench-"));
  const nats = await startNatsServer(natsServer, path.join(dir, "nats"));
  const processes = [];
  try {
    await withJsm(nats.url, (jsm) => jsm.streams.add({ name: STREAM, subjects: ["logs.>"] }));
    if (scenario.agent === "before") {
      const agent = startLogward(dir, "agent", agentConfig(dir, nats.url, log));
      processes.push(agent);
      await waitForJs(nats.url, streamHolds(events), "the agent to fill the stream", timeoutMs);
      await agent.stop();
    }
    const seen = new Uint8Array(events + 1);
    const trackers = [];
    const startAnalysers = () => {
      for (let i = 1; i <= scenario.analysers; i++) {
        const output = path.join(dir, `analyser${i}.ndjson`);
        processes.push(startLogward(dir, `analyser${i}`, analyserConfig(dir, nats.url, `analyser${i}`, output)));
        trackers.push(new OutputTracker(output, seen));
      }
    };
    if (scenario.agent === "live") {
      startAnalysers(); // each holds one pull request open once it consumes
      await waitForJs(
        nats.url,
        async (jsm) => (await jsm.consumers.info(STREAM, CONSUMER)).num_waiting >= scenario.analysers,
        "the analysers pulling",
        60_000,
      );
    }

    const started = performance.now();
    if (scenario.agent === "before") startAnalysers();
    else if (scenario.agent === "publisher")
      processes.push(startPublisher([nats.url, "logs.app", log, ...scenario.publisher]));
    else processes.push(startLogward(dir, "agent", agentConfig(dir, nats.url, log)));
    let first;
    if (scenario.analysers === 0) {
      const holds = streamHolds(events);
      const check = async (jsm) => {
        if (first === undefined && (await jsm.streams.info(STREAM)).state.messages > 0) first = performance.now();
        return holds(jsm);
      };
      await waitForJs(nats.url, check, "the agent to fill the stream", timeoutMs);
    } else first = await untilEveryEvent(trackers, events, started, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    // CPU used by then: what each side costs per line, whatever else the machine was doing
    const sender = processes.find((p) => p.name === "agent" || p.name === "publisher");
    const cpu = {
      sender: scenario.agent === "before" ? undefined : cpuSeconds(sender.pid),
      analysers: processes.filter((p) => p.name.startsWith("analyser")).reduce((n, p) => n + cpuSeconds(p.pid), 0),
      server: cpuSeconds(nats.pid),
    };
    if (scenario.analysers === 0) {
      const lines = await withJsm(nats.url, linesInStream);
      if (lines < events) throw new Error(`the stream holds ${lines} lines, not ${events}`);
    }
    const copies = trackers.reduce((n, t) => n + t.lines, 0) - trackers.reduce((n, t) => n + t.fresh, 0);
    return {
      seconds,
      firstSeconds: first === undefined ? undefined : (first - started) / 1000,
      shares: trackers.map((t) => t.fresh),
      copies,
      cpu,
    };
  } catch (err) {
    for (const p of processes) process.stderr.write(`--- ${p.name} stderr (tail):\n${p.stderr()}\n`);
    throw err;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await nats.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(line + "\n");
  if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js")))
    throw new Error("logward is not built: run `npm run build` first");
  const natsServer = findNatsServer();
  const started = new Date();
  const machine = describeFleetMachine(ROOT, natsServer);
  log(
    `Machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}, ${machine.natsServer}, load ${machine.load}`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "logward-fleet-log-"));
  const results = SCENARIOS.map((scenario) => ({ scenario, runs: [] }));
  try {
    const logFile = path.join(work, "app.log");
    writeLog(logFile, opts.events);
    const timeoutMs = Math.max(120_000, opts.events); // slower than 1000 events/s is broken, not slow
    for (let run = 1; run <= opts.runs; run++) {
      for (const { scenario, runs } of results) {
        const result = await runOnce(scenario, { events: opts.events, log: logFile, natsServer, timeoutMs });
        runs.push(result);
        log(
          `run ${run}, ${scenario.title}: ${result.seconds.toFixed(2)} s, ${fmt(opts.events / result.seconds)} events/s${result.shares.length > 1 ? `, split ${result.shares.join("/")}` : ""}`,
        );
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  machine.loadEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  log("\n" + resultsTable(results, opts.events));
  const command = `node bench/fleet.mjs ${process.argv.slice(2).join(" ")}`.trim();
  const config = { stream: STREAM, consumer: CONSUMER };
  writeResults(opts.results, {
    command,
    machine,
    events: opts.events,
    runs: opts.runs,
    started,
    finished: new Date(),
    results,
    config,
  });
  log(`\nWrote ${path.relative(process.cwd(), opts.results)}`);
}

main().catch((err) => {
  process.stderr.write(`bench/fleet: ${err.message}\n`);
  process.exitCode = 1;
});
