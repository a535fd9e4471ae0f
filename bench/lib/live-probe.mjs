// Tools of the live benchmark: a realtime↔monotonic bridge, output followers, /proc figures, process groups, percentiles.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The offset (ms) to add to performance.now() to get the Unix time in ms with microsecond precision, found by catching
 * Date.now() as it ticks to the next millisecond (that instant is an exact realtime). The tick is seen a little after
 * it happens, so each try underestimates the offset: keep the largest of several. Needed because `date +%s%N` (what an
 * exec'd command can record cheaply) is CLOCK_REALTIME, while appends are timed with the monotonic performance.now().
 */
export function realtimeOffset(tries = 7) {
  let best = -Infinity;
  for (let i = 0; i < tries; i++) {
    const start = Date.now();
    let now;
    let mono;
    do {
      now = Date.now();
      mono = performance.now();
    } while (now === start);
    best = Math.max(best, now - mono);
  }
  return best;
}

/**
 * Follow a file that something else appends to (it may not exist yet): an inotify watch on its folder, and on each
 * event every new complete line is handed to onLine(line, arrivedMs) with the performance.now() taken first thing in
 * the event, before reading. Returns stop().
 */
export function followLines(file, onLine) {
  let fd;
  let position = 0;
  let rest = "";
  const buffer = Buffer.allocUnsafe(1 << 16);
  const readNew = () => {
    const arrived = performance.now();
    if (fd === undefined) {
      try {
        fd = fs.openSync(file, "r");
      } catch {
        return; // not there yet
      }
    }
    let text = rest;
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, position)) > 0; position += n)
      text += buffer.toString("latin1", 0, n);
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line, arrived);
  };
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (name === null || String(name) === path.basename(file)) readNew();
  });
  readNew();
  return () => {
    watcher.close();
    readNew();
    if (fd !== undefined) fs.closeSync(fd);
  };
}

/** Split a stream (a child's stdout) into lines, each with the performance.now() of the chunk it came in. */
export function pipeLines(stream, onLine) {
  let rest = "";
  stream.on("data", (chunk) => {
    const arrived = performance.now();
    const lines = (rest + chunk.toString("latin1")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line, arrived);
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

/** CPU seconds (user + system, all threads) of a process, from /proc/PID/stat; undefined when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name in (...) may contain spaces
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime: fields 14 and 15 of the line
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc/PID/status. */
export function memoryMB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return { rss: undefined, hwm: undefined };
  }
}

/** Whole CPU seconds of every process in a process group (a pipeline, or swatchdog and its tail). */
export function groupCpuSeconds(pgid) {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/**
 * Start a command in its own process group (so it and its children can be stopped together) with stdout piped and
 * stderr kept in a file. stop() sends SIGTERM to the group and resolves once the leader has exited (SIGKILL after 10 s).
 */
export function startGroup(argv, { stderrFile, env, stdout = "pipe" }) {
  const errFd = fs.openSync(stderrFile, "w");
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ["ignore", stdout, errFd], env });
  fs.closeSync(errFd);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signal("SIGTERM");
    const killer = setTimeout(() => signal("SIGKILL"), 10_000);
    const result = await exited;
    clearTimeout(killer);
    signal("SIGKILL"); // what the leader left behind (tail under swatchdog, say)
    return result;
  };
  return { child, pid: child.pid, exited, stop };
}

/** Poll until check() returns a value other than undefined/false, or throw after deadlineMs. */
export async function waitFor(what, check, { deadlineMs = 30_000, everyMs = 20 } = {}) {
  const until = performance.now() + deadlineMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > until) throw new Error(`timed out after ${deadlineMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The last lines of a file, for an error message. */
export function tailOf(file, lines = 3) {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-lines).join(" | ").slice(0, 400);
  } catch {
    return "";
  }
}
