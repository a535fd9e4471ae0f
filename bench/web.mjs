// `node bench/web.mjs [--seconds 30] [--rate 50000] [--latency-seconds 10] [--latency-rate 200] [--client-buffer BYTES]`: issue 9's web figures.
// `--sources N` (N > 1): N files appended to in turn, the page on the all-sources view (no latency run).
import fs from "node:fs";
import { measureWeb } from "./lib/web.mjs";

const USAGE =
  "usage: node bench/web.mjs [--seconds N] [--rate LINES_PER_S] [--latency-seconds N] [--latency-rate LINES_PER_S] [--client-buffer BYTES] [--chromium PATH] [--sources N]";

function parseArgs(argv) {
  const opts = { seconds: 30, rate: 50_000, latencySeconds: 10, latencyRate: 200, chromium: "/usr/bin/chromium" };
  const numbers = {
    "--seconds": "seconds",
    "--rate": "rate",
    "--latency-seconds": "latencySeconds",
    "--latency-rate": "latencyRate",
    "--client-buffer": "clientBuffer",
    "--sources": "sources",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--chromium") opts.chromium = value;
    else if (flag in numbers && Number(value) > 0) opts[numbers[flag]] = Number(value);
    else throw new Error(`bad option ${flag} ${value ?? ""}\n${USAGE}`);
  }
  if (!fs.existsSync(opts.chromium))
    throw new Error(`${opts.chromium} not found: apt-get install chromium, or pass --chromium PATH`);
  return opts;
}

const table = (rows) =>
  [
    "| case | measured | target | met? |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) => `| ${r.case} | ${r.measured} | ${r.target} | ${r.met === null ? "" : r.met ? "yes" : "**no**"} |`,
    ),
  ].join("\n");

try {
  const opts = parseArgs(process.argv.slice(2));
  const { rows, notes } = await measureWeb({ ...opts, log: (line) => process.stdout.write(line + "\n") });
  process.stdout.write(`\n${table(rows)}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
} catch (err) {
  process.stderr.write(`bench/web: ${err.message ?? err}\n`);
  process.exitCode = 1;
}
