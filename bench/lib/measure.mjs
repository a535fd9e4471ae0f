// Wall time and peak RSS of one whole child process, measured by a tiny python3 wrapper (or GNU time as a fallback).
import { spawnSync } from "node:child_process";
import fs from "node:fs";

// getrusage(RUSAGE_CHILDREN) after wait() gives the child's (and its waited-for descendants') peak RSS; Node has no
// equivalent for a child, so a python3 wrapper times the child with perf_counter around Popen/wait.
const WRAPPER = `
import json, resource, subprocess, sys, time
out, err, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    rc = p.wait()
    t = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": t, "maxrss_kb": ru.ru_maxrss, "rc": rc, "cpu": ru.ru_utime + ru.ru_stime}))
`;

function which(name) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const file = `${dir}/${name}`;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Prefer Debian's python3 over a shim (a pyenv shim adds a shell script to every measurement's set-up). */
export function findMeter() {
  const python = ["/usr/bin/python3"].find((p) => fs.existsSync(p)) ?? which("python3");
  if (python)
    return {
      kind: "python3",
      path: python,
      describe: `python3 wrapper (${python}): perf_counter wall time, getrusage(RUSAGE_CHILDREN).ru_maxrss`,
    };
  const time = ["/usr/bin/time"].find((p) => fs.existsSync(p));
  if (time)
    return {
      kind: "gnu-time",
      path: time,
      describe: `GNU time (${time} -f '%e %M %U %S'), wall time from Node's clock around it`,
    };
  throw new Error("need python3 or GNU time (/usr/bin/time) to measure a child's peak RSS: apt-get install python3");
}

/**
 * Run argv to completion with stdout/stderr to files; returns { seconds, rssMB, cpu, rc }.
 * The measured process is argv itself (no shell), so its RSS is not mixed with a shell's.
 */
export function measure(meter, argv, { stdout, stderr, env } = {}) {
  const out = stdout ?? "/dev/null";
  const err = stderr ?? "/dev/null";
  if (meter.kind === "python3") {
    const r = spawnSync(meter.path, ["-c", WRAPPER, out, err, ...argv], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`measuring ${argv.join(" ")} failed: ${r.stderr || r.error}`);
    const m = JSON.parse(r.stdout);
    return { seconds: m.seconds, rssMB: m.maxrss_kb / 1024, cpu: m.cpu, rc: m.rc };
  }
  const report = `${err}.time`;
  const started = process.hrtime.bigint();
  const outFd = fs.openSync(out, "w");
  const errFd = fs.openSync(err, "w");
  const r = spawnSync(meter.path, ["-o", report, "-f", "%e %M %U %S", ...argv], {
    env,
    stdio: ["ignore", outFd, errFd],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.closeSync(outFd);
  fs.closeSync(errFd);
  const [, maxrss, user, sys] = fs.readFileSync(report, "utf8").trim().split(/\s+/).slice(-4).map(Number);
  return { seconds, rssMB: maxrss / 1024, cpu: user + sys, rc: r.status };
}

/** Read a file once without keeping it, so the timed runs start with it in the page cache. */
export function warmPageCache(file) {
  const fd = fs.openSync(file, "r");
  const buffer = Buffer.allocUnsafe(4 << 20);
  while (fs.readSync(fd, buffer, 0, buffer.length, null) > 0);
  fs.closeSync(fd);
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export { which };
