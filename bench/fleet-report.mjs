// The table of bench/fleet.mjs and bench/FLEET.md: medians per path through the fleet, with the machine and the command.
import fs from "node:fs";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
export const fmt = (n, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** One row per scenario: every run's time, the median, events/s at the median, and the median run's split. */
export function resultsTable(results, events) {
  const rows = [
    "| path | events | runs: time to the last event (s) | median (s) | events/s (median) | first event after (s, median) | events/s after the first (median) | split (median run) | copies | CPU s: sender / analysers / nats-server (median run) | lines per sender CPU-s |",
    "|---|---:|---|---:|---:|---:|---:|---|---:|---|---:|",
  ];
  for (const { scenario, runs } of results) {
    const seconds = median(runs.map((r) => r.seconds));
    const mid = runs.find((r) => r.seconds === seconds);
    const split = mid.shares.length > 1 ? mid.shares.map((s) => `${Math.round((100 * s) / events)}%`).join(" / ") : "";
    const first = runs.every((r) => r.firstSeconds !== undefined)
      ? median(runs.map((r) => r.firstSeconds)).toFixed(2)
      : "";
    const copies = scenario.analysers > 0 ? String(runs.reduce((n, r) => n + r.copies, 0)) : "";
    const times = runs.map((r) => r.seconds.toFixed(2)).join(", ");
    const steady = runs.every((r) => r.firstSeconds !== undefined)
      ? `${fmt(median(runs.map((r) => events / (r.seconds - r.firstSeconds))))}`
      : "";
    const { sender, analysers, server } = mid.cpu;
    const cpu = [sender, scenario.analysers > 0 ? analysers : undefined, server]
      .map((s) => (s === undefined ? "–" : s.toFixed(2)))
      .join(" / ");
    const perCpu = sender ? fmt(events / sender) : "";
    rows.push(
      `| ${scenario.title} | ${fmt(events)} | ${times} | ${seconds.toFixed(2)} | **${fmt(events / seconds)}** | ${first} | ${steady} | ${split} | ${copies} | ${cpu} | ${perCpu} |`,
    );
  }
  return rows.join("\n");
}

export function writeResults(file, { command, machine, events, runs, started, finished, results, config }) {
  const text = `# Fleet throughput: agent → NATS JetStream → analysers

Measured by \`bench/fleet.mjs\` on the machine below; run it again on yours:
\`${command}\` (started ${started.toISOString()}, finished ${finished.toISOString()}).

Machine: ${machine.nproc} cores (nproc), ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.kernel}; Node ${machine.node};
${machine.natsServer}; logward ${machine.logward}.
Load average (1, 5, 15 min) at start ${machine.load}, at end ${machine.loadEnd} (other work shared the machine).

${resultsTable(results, events)}

The two **agent → NATS → analyser** rows are the figure: one agent reads a pre-written log while the
analysers consume, and the clock runs from the agent's start until the analysers' outputs together
hold every event (each number checked). The other rows time one side alone, to show which is the
limit: **agent → NATS** until the stream holds every line (no analyser running; the stream's lines
are counted afterwards), and **NATS → analysers** from the analysers' start on a stream the agent
filled beforehand. The two **minimal nats.js publisher** rows are the ceiling, measured in the same
run: \`bench/fleet-publisher.mjs\` (about 40 lines: read the log, publish with the same client
library, a window of PubAcks) in the agent's place — once with 1,000 lines per message (each line
alone in an object: about 100 KB, the size of the agent's batches of about 400 lines with their time,
file, offset, rule and host), once with one line per message, as logward 0.1 published.

One run: a fresh \`nats-server -js\` (file storage in a temp folder) and stream \`${config.stream}\`
(subjects \`logs.>\`, created up front, as the agent would); the agent is \`logward run\` with a file
source (\`start_at: beginning\`) on ${fmt(events)} numbered lines of about 90 bytes, a rule with no
\`match\` (every line), and the \`nats\` action with its defaults (max_in_flight 64, max_batch_lines
1000, max_batch_bytes 96KiB, subject \`logs.{source}\`); each analyser is \`logward run\` with the nats source's defaults (durable consumer
\`${config.consumer}\`, batch 100, ack_wait 30s, max_ack_pending 1000) and a \`file\` action writing
NDJSON to its own file. In the full path the analysers are already pulling when the clock starts.
Times include the processes' start-up (Node, config, connecting: see "first event after", the
first event at an analyser, or in the stream for the rows without one); "events/s after the first"
leaves it out: events over the time from the first event to the last.
events/s = events / median time; ${runs} run${runs === 1 ? "" : "s"} per row, the rows' runs interleaved. "copies": events
written twice, over all runs (0 while nothing fails). "CPU s": user + system CPU seconds each side had
used when the clock stopped (the analysers together), start-up included, and "lines per sender
CPU-s" the events over the sender's CPU seconds: unlike events/s, these hardly depend on what else
the machine is doing.

What the figures mean: every process — nats-server, the agent, each analyser and the harness —
shares the ${machine.nproc} cores above. A second analyser here is one more process on the same cores,
not one more machine, so it cannot raise the full path's rate when the agent is the limit; what the
two-analyser rows show is that the work is split evenly and nothing is lost or repeated. In a fleet,
agents and analysers run on their own hosts, and each agent ships its own host's lines.
Delivery is as in production: an analyser acknowledges a message only after the file action wrote it,
and the agent's checkpoint moves past a line only after the server's PubAck for its message.
`;
  fs.writeFileSync(file, text);
}
