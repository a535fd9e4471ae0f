// Idle cost of tailing many files: 1,000 quiet files, `logward run` (or `tail -F`) started on them, then its CPU time
// and RSS sampled from /proc over a stretch of idleness.
import fs from "node:fs";
import path from "node:path";
import { cpuSeconds, followLines, memoryMB, pipeLines, sleep, startGroup, tailOf, waitFor } from "./live-probe.mjs";

/** Time after the reader has proved it is watching (a probe line arrived) before the measured stretch begins. */
const SETTLE_MS = 3000;

/** `files` files spread over `dirs` folders under root (each with two lines already); returns their paths. */
export function makeQuietFiles(root, { files, dirs }) {
  const paths = [];
  for (let d = 0; d < dirs; d++) {
    const dir = path.join(root, `d${String(d).padStart(3, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    const here = Math.floor(files / dirs) + (d < files % dirs ? 1 : 0);
    for (let f = 0; f < here; f++) {
      const file = path.join(dir, `app-${String(paths.length).padStart(4, "0")}.log`);
      fs.writeFileSync(file, `2026-11-21T08:00:00Z started worker ${paths.length}\n2026-11-21T08:00:01Z ready\n`);
      paths.push(file);
    }
  }
  return paths;
}

/** logward run on every file (a glob per layout), a rule for ERROR lines and a file action. */
export function logwardIdle({ logwardArgv }) {
  return {
    name: "logward run",
    tool: "logward",
    start({ dir, root, dirs, onProbe }) {
      const out = path.join(dir, "out", "events.ndjson");
      fs.mkdirSync(path.dirname(out));
      const config = {
        state_dir: path.join(dir, "state"),
        sources: { apps: { path: dirs === 1 ? path.join(root, "d000", "*.log") : path.join(root, "*", "*.log") } },
        rules: { errors: { source: "apps", match: "ERROR", actions: ["record"] } },
        actions: { record: { type: "file", path: out } },
      };
      const configFile = path.join(dir, "logward.json");
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      const stopFollowing = followLines(out, (line) => line.includes("probe") && onProbe());
      const stderrFile = path.join(dir, "stderr");
      const proc = startGroup([...logwardArgv, "--log-format", "json", "run", "-c", configFile], {
        stderrFile,
        stdout: "ignore",
      });
      let exited;
      proc.exited.then((r) => (exited = r));
      const ready = waitFor(
        "logward run to start",
        () => {
          if (exited) throw new Error(`logward run exited (${exited.code ?? exited.signal}): ${tailOf(stderrFile)}`);
          return fs.readFileSync(stderrFile, "utf8").includes('"logward running"') || undefined;
        },
        { deadlineMs: 60_000 },
      );
      return { pid: proc.pid, ready, stderrFile, stop: async () => (await proc.stop(), stopFollowing()) };
    },
  };
}

/** The peer: one `tail -n 0 -F` on all the files (coreutils tail uses one inotify watch per file). */
export function tailIdle({ tail }) {
  return {
    name: "tail -F",
    tool: "tail",
    start({ dir, files, onProbe }) {
      const stderrFile = path.join(dir, "stderr");
      const proc = startGroup([tail, "-n", "0", "-F", "--", ...files], { stderrFile });
      pipeLines(proc.child.stdout, (line) => line.includes("probe") && onProbe());
      return { pid: proc.pid, ready: Promise.resolve(), stderrFile, stop: async () => void (await proc.stop()) };
    },
  };
}

/**
 * Start the contender on `files` quiet files in `dirs` folders, prove it watches them (a probe line appended to the last
 * file until it shows up), let it settle, then sample CPU time and RSS every second for `seconds`.
 */
export async function runIdle(contender, { files, dirs, seconds, workDir }) {
  const dir = fs.mkdtempSync(path.join(workDir, `idle-${contender.tool}-`));
  const root = path.join(dir, "logs");
  const paths = makeQuietFiles(root, { files, dirs });
  let probed = false;
  const handle = contender.start({ dir, root, dirs, files: paths, onProbe: () => (probed = true) });
  try {
    await handle.ready;
    const last = paths[paths.length - 1];
    await waitFor(
      `${contender.name} to see a line appended to one of ${files} files (stderr: ${tailOf(handle.stderrFile)})`,
      () => {
        if (!probed) fs.appendFileSync(last, `2026-11-21T08:00:02Z ERROR probe\n`);
        return probed || undefined;
      },
      { deadlineMs: 60_000, everyMs: 250 },
    );
    await sleep(SETTLE_MS);
    return await sampleIdle(handle.pid, seconds);
  } finally {
    await handle.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU % of one core over the whole stretch and in its busiest second; largest VmRSS seen and VmHWM at the end. */
async function sampleIdle(pid, seconds) {
  const startCpu = cpuSeconds(pid);
  const startAt = performance.now();
  let previousCpu = startCpu;
  let busiestSecond = 0;
  let rss = memoryMB(pid).rss ?? 0;
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    const cpu = cpuSeconds(pid);
    if (cpu === undefined) throw new Error(`process ${pid} exited while idle`);
    busiestSecond = Math.max(busiestSecond, cpu - previousCpu);
    previousCpu = cpu;
    rss = Math.max(rss, memoryMB(pid).rss ?? 0);
  }
  const elapsed = (performance.now() - startAt) / 1000;
  const { hwm } = memoryMB(pid);
  return {
    cpuPercent: ((previousCpu - startCpu) / elapsed) * 100,
    busiestSecondPercent: busiestSecond * 100,
    rssMB: rss,
    hwmMB: hwm,
    seconds: elapsed,
  };
}
