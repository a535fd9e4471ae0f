// `node bench/live.mjs [--only latency|idle] [--samples N] [--rate N] [--exec-rate N] [--rounds N] [--idle-seconds N]
// [--idle-files N] [--contenders exec,file,SLUG] [--baseline PATH/bin/logward]`: only the live targets of issue 9, printed as tables (`npm run bench -- --only live` also writes them).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LIVE_DEFAULTS, livePeers, measureLive } from "./lib/live.mjs";
import { detectPeers, LOGWARD_BIN, logwardBuilt } from "./lib/peers.mjs";
import { liveSection } from "./lib/report.mjs";

const USAGE =
  "usage: node bench/live.mjs [--only latency|idle] [--samples N] [--rate N] [--exec-rate N] [--rounds N] [--idle-seconds N] [--idle-files N] [--contenders exec,file,SLUG,…] [--baseline OTHER_BUILD/bin/logward]";
const NUMBERS = {
  "--samples": "samples",
  "--rate": "rate",
  "--exec-rate": "execRate",
  "--rounds": "rounds",
  "--idle-seconds": "idleSeconds",
  "--idle-files": "idleFiles",
};

function parseArgs(argv) {
  const opts = { parts: ["latency", "idle"] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--only" && (value === "latency" || value === "idle")) opts.parts = [value];
    else if (flag === "--contenders" && value) opts.only = value.split(",");
    else if (flag === "--baseline" && value && fs.existsSync(value))
      opts.baselineArgv = [process.execPath, path.resolve(value)];
    else if (flag in NUMBERS && Number(value) > 0) opts[NUMBERS[flag]] = Number(value);
    else throw new Error(`bad option ${flag} ${value ?? ""}\n${USAGE}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!logwardBuilt()) throw new Error("logward is not built (dist/cli/main.js missing): run `npm run build` first");
  const log = (line) => process.stdout.write(`${line}\n`);
  const settings = { ...LIVE_DEFAULTS, ...opts };
  log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${JSON.stringify(settings)}`,
  );
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-live-"));
  try {
    const live = await measureLive({
      logwardArgv: [process.execPath, LOGWARD_BIN],
      peers: livePeers(detectPeers()),
      workDir,
      log,
      ...opts,
    });
    log(`\n${liveSection(live).join("\n")}`);
    log(
      `load average at end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench/live: ${err.message}\n`);
  process.exitCode = 2;
});
