// What the live latency benchmark starts: logward run with a file or exec action, tail -F | grep, swatchdog, and two
// floors measured inside the bench process itself (its own file watch; its own watch + spawn of the same command).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { groupCpu, recordedStarts, seqOf } from "./live-latency.mjs";
import { followLines, pipeLines, realtimeOffset, startGroup, tailOf, waitFor } from "./live-probe.mjs";

const shellQuote = (text) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The exec'd command: `date` records its own start (CLOCK_REALTIME, ns), then the shell's printf (a builtin, no
 * exec) adds LOGWARD_COUNT and LOGWARD_LINE: a run that took several queued lines (logward coalesces them while the
 * previous run is going) carries the latest one and their number. So, like swatchdog's `date …` below, a run costs
 * /bin/sh and one `date`; the figure includes starting both: an upper bound on "exec start".
 */
const stampCommand = (out) =>
  `{ date +%s%N; printf '%s %s\\n' "$LOGWARD_COUNT" "$LOGWARD_LINE"; } >> ${shellQuote(out)}`;

/** A started contender as runLatency uses it. */
const handleOf = (proc, { stderrFile, ready, stopFollowing }) => ({
  ready,
  stderrFile,
  cpuSeconds: groupCpu(proc.pid),
  stop: async () => {
    await proc.stop();
    stopFollowing();
  },
});

/** Resolves once the log says "logward running"; rejects if the process exits first. */
function logwardRunning(proc, stderrFile) {
  let exited;
  proc.exited.then((r) => (exited = r));
  return waitFor("logward run to start", () => {
    if (exited)
      throw new Error(
        `logward run exited (${exited.code ?? exited.signal}) before it was running: ${tailOf(stderrFile)}`,
      );
    return fs.readFileSync(stderrFile, "utf8").includes('"logward running"') || undefined;
  });
}

/**
 * `logward run` (not --once) tailing the log, a literal rule, and a `file` or an `exec` action. `label` names another
 * build measured beside this one (bench/live.mjs --baseline), e.g. "baseline".
 */
export function logwardLive({ logwardArgv, kind, label }) {
  return {
    name: `logward${label ? ` (${label})` : ""} run → ${kind} action`,
    slug: `logward-${kind}${label ? `-${label}` : ""}`,
    tool: "logward",
    kind,
    note:
      kind === "file"
        ? "append → the event's JSON line seen in the action's file"
        : "append → the command's `date` (sh + date start included)",
    async start({ dir, logFile, onArrival }) {
      const outDir = path.join(dir, "out");
      fs.mkdirSync(outDir);
      const out = path.join(outDir, kind === "file" ? "events.ndjson" : "starts.txt");
      const action = kind === "file" ? { type: "file", path: out } : { type: "exec", command: stampCommand(out) };
      const config = {
        state_dir: path.join(dir, "state"),
        sources: { app: { path: logFile } },
        rules: { live: { source: "app", match: "LIVE", actions: ["act"] } },
        actions: { act: action },
      };
      const configFile = path.join(dir, "logward.json");
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      const stopFollowing =
        kind === "file"
          ? followLines(out, (line, at) => arrival(onArrival, line, at))
          : recordedStarts(out, realtimeOffset(), onArrival);
      const stderrFile = path.join(dir, "stderr");
      const proc = startGroup(
        [...logwardArgv, "--log-format", "json", "--log-level", "info", "run", "-c", configFile],
        { stderrFile, stdout: "ignore" },
      );
      return handleOf(proc, { stderrFile, ready: logwardRunning(proc, stderrFile), stopFollowing });
    },
  };
}

function arrival(onArrival, line, at) {
  const seq = seqOf(line);
  if (seq !== undefined) onArrival(seq, at);
}

/** The issue's file-action peer: `tail -n0 -F FILE | grep --line-buffered -F LIVE`, its output read from a pipe. */
export function tailGrep({ tail, grep }) {
  return {
    name: "tail -F | grep --line-buffered",
    slug: "tail-grep",
    tool: "tail+grep",
    kind: "file",
    note: "append → the line on grep's stdout (a pipe)",
    async start({ dir, logFile, onArrival }) {
      const stderrFile = path.join(dir, "stderr");
      const pipeline = `${shellQuote(tail)} -n 0 -F -- ${shellQuote(logFile)} | ${shellQuote(grep)} --line-buffered -F LIVE`;
      const proc = startGroup(["/bin/sh", "-c", pipeline], { stderrFile, env: { ...process.env, LC_ALL: "C" } });
      pipeLines(proc.child.stdout, (line, at) => arrival(onArrival, line, at));
      return handleOf(proc, { stderrFile, ready: Promise.resolve(), stopFollowing: () => {} });
    },
  };
}

/** The issue's exec peer: swatchdog following the file (it runs `tail -n 0 -F`) and exec'ing `date` per match. */
export function swatchdogExec({ swatchdog }) {
  return {
    name: "swatchdog exec",
    slug: "swatchdog",
    tool: "swatchdog",
    kind: "exec",
    note: "append → the command's `date` (sh + date start included)",
    async start({ dir, logFile, onArrival }) {
      const out = path.join(dir, "out", "starts.txt");
      fs.mkdirSync(path.dirname(out));
      const config = path.join(dir, "swatchdog.conf");
      // $1 is the regex's first group (without --awk-field-syntax): the sequence number.
      fs.writeFileSync(config, `watchfor /LIVE (\\d+)/\n  exec date +%s%N:$1 >> ${out}\n`);
      const stopFollowing = recordedStarts(out, realtimeOffset(), onArrival);
      const stderrFile = path.join(dir, "stderr");
      const argv = [swatchdog, `--config-file=${config}`, `--tail-file=${logFile}`, `--script-dir=${dir}`];
      const proc = startGroup(argv, { stderrFile, stdout: "ignore" });
      return handleOf(proc, { stderrFile, ready: Promise.resolve(), stopFollowing });
    },
  };
}

/** Floor of the file-action figure: the bench's own inotify watch on the log (what its observer itself costs). */
export function watchFloor() {
  return {
    name: "floor: fs.watch in the bench process",
    slug: "floor-watch",
    tool: "floor",
    kind: "file",
    note: "append → the bench's own watch on the log sees it (observer cost)",
    async start({ logFile, onArrival }) {
      const stopFollowing = followLines(logFile, (line, at) => arrival(onArrival, line, at));
      return { ready: Promise.resolve(), stop: async () => stopFollowing() };
    },
  };
}

/** Floor of the exec figure: the bench watches the log itself and spawns the same command per line, as logward does. */
export function spawnFloor() {
  return {
    name: "floor: fs.watch + spawn in the bench process",
    slug: "floor-spawn",
    tool: "floor",
    kind: "exec",
    note: "append → own watch → spawn(/bin/sh -c …) → `date`",
    async start({ dir, logFile, onArrival }) {
      const out = path.join(dir, "out", "starts.txt");
      fs.mkdirSync(path.dirname(out));
      const command = stampCommand(out);
      const children = new Set();
      const stopWatching = followLines(logFile, (line) => {
        if (seqOf(line) === undefined) return;
        const env = { ...process.env, LOGWARD_COUNT: "1", LOGWARD_LINE: line };
        const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: ["pipe", "ignore", "ignore"], env });
        children.add(child);
        child.once("exit", () => children.delete(child));
        child.stdin.on("error", () => {});
        child.stdin.end(`${line}\n`);
      });
      const stopFollowing = recordedStarts(out, realtimeOffset(), onArrival);
      return {
        ready: Promise.resolve(),
        stop: async () => {
          stopWatching();
          await Promise.all([...children].map((c) => new Promise((resolve) => c.once("exit", resolve))));
          stopFollowing();
        },
      };
    },
  };
}
