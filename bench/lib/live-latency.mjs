// Append → reaction latency: lines appended one write at a time to a file, each with a sequence number, and the time each
// one reaches a file action's output, an exec'd command, or a peer (tail -F | grep, swatchdog), on one monotonic clock.
import fs from "node:fs";
import path from "node:path";
import { prng } from "../generate.mjs";
import { followLines, groupCpuSeconds, quantile, sleep, tailOf, waitFor } from "./live-probe.mjs";
import { median } from "./measure.mjs";

/** Every appended line carries " LIVE <seq> "; observers find the sequence number with this. */
const SEQ = /LIVE (\d+)/;

/** A syslog-like line of about 130 bytes with the token and the sequence number. */
const lineFor = (seq) =>
  `2026-11-21T08:00:00.000Z web-1 app[4242]: LIVE ${String(seq).padStart(7, "0")} request handled method=GET path=/api/orders/${seq % 977} status=200 ms=${seq % 83}\n`;

/**
 * One run of one contender: start it, wait until it reacts at all (probe lines until the first arrives: no fixed
 * sleep), append `warmup` lines that are not counted, then `samples` lines at about `rate` per second with ±50 %
 * jitter, and wait for them. Returns the latencies (ms) of the measured lines and what went missing.
 */
export async function runLatency(contender, { samples, warmup, rate, workDir, seed = 9 }) {
  const dir = fs.mkdtempSync(path.join(workDir, `${contender.slug}-`));
  const logFile = path.join(dir, "app.log");
  fs.writeFileSync(logFile, "");
  const total = 1 + warmup + samples + 1000; // room for probe lines
  const appendedAt = new Float64Array(total).fill(NaN);
  const arrivedAt = new Float64Array(total).fill(NaN);
  let arrivals = 0;
  const onArrival = (seq, at) => {
    if (seq < total && Number.isNaN(arrivedAt[seq])) {
      arrivedAt[seq] = at;
      arrivals++;
    }
  };
  const handle = await contender.start({ dir, logFile, onArrival });
  const fd = fs.openSync(logFile, "a");
  let seq = 0;
  const append = () => {
    appendedAt[seq] = performance.now();
    fs.writeSync(fd, lineFor(seq));
    seq++;
  };
  try {
    await handle.ready;
    // Probe: one line every 100 ms until the first reaction (the reader is started and watching).
    await waitFor(
      `${contender.name} to react to an appended line (stderr: ${tailOf(handle.stderrFile ?? "/dev/null")})`,
      () => {
        if (arrivals > 0) return true;
        if (seq < 1000) append();
        return undefined;
      },
      { deadlineMs: 30_000, everyMs: 100 },
    );
    const random = prng(seed);
    const meanMs = 1000 / rate;
    const paced = async (count) => {
      for (let i = 0; i < count; i++) {
        append();
        await sleep(meanMs * (0.5 + random()));
      }
    };
    await paced(warmup);
    const first = seq;
    const cpuBefore = handle.cpuSeconds?.();
    await paced(samples);
    const last = seq;
    await settle(() => countArrived(arrivedAt, first, last), last - first);
    const cpuAfter = handle.cpuSeconds?.();
    const cpuMsPerKLine =
      cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1e6) / (last - first) : undefined;
    return { latencies: latencies(appendedAt, arrivedAt, first, last), sent: last - first, cpuMsPerKLine };
  } finally {
    fs.closeSync(fd);
    await handle.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function countArrived(arrivedAt, first, last) {
  let n = 0;
  for (let i = first; i < last; i++) if (!Number.isNaN(arrivedAt[i])) n++;
  return n;
}

/** Wait until every measured line arrived, or nothing new arrived for 3 s. */
async function settle(arrived, expected) {
  let seen = arrived();
  let quietSince = performance.now();
  while (seen < expected && performance.now() - quietSince < 3000) {
    await sleep(50);
    const now = arrived();
    if (now !== seen) quietSince = performance.now();
    seen = now;
  }
}

function latencies(appendedAt, arrivedAt, first, last) {
  const out = [];
  for (let i = first; i < last; i++) if (!Number.isNaN(arrivedAt[i])) out.push(arrivedAt[i] - appendedAt[i]);
  return out;
}

/** p50/p90/p99/max of pooled runs, and how many appended lines never arrived. */
export function summariseLatency(contender, runs) {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const sent = runs.reduce((n, r) => n + r.sent, 0);
  const cpu = runs.map((r) => r.cpuMsPerKLine).filter((c) => c !== undefined);
  const p99PerRun = runs.map((r) =>
    quantile(
      [...r.latencies].sort((a, b) => a - b),
      0.99,
    ),
  );
  return {
    name: contender.name,
    tool: contender.tool,
    kind: contender.kind,
    note: contender.note,
    samples: all.length,
    missing: sent - all.length,
    p50: quantile(all, 0.5),
    p90: quantile(all, 0.9),
    p99: quantile(all, 0.99),
    max: all[all.length - 1],
    p99PerRun,
    p99Median: p99PerRun.length ? median(p99PerRun) : undefined,
    cpuMsPerKLine: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : undefined,
  };
}

/** A line's sequence number, or undefined. */
export function seqOf(line) {
  const match = SEQ.exec(line);
  return match ? Number(match[1]) : undefined;
}

/**
 * A follower of what an exec'd command records: `<realtime ns>` on a line of its own followed by `<count> <latest
 * line>` (the run carried the `count` lines up to the latest: every appended line matches, in order), or
 * `<realtime ns>:<seq>` (swatchdog). The time is the command's own, converted to performance.now() time.
 */
export function recordedStarts(file, offsetMs, onArrival) {
  let startedAt;
  return followLines(file, (line) => {
    const stamp = /^(\d{19})(?::(\d+))?$/.exec(line);
    if (stamp) {
      startedAt = Number(BigInt(stamp[1]) / 1000n) / 1000 - offsetMs;
      if (stamp[2] !== undefined) onArrival(Number(stamp[2]), startedAt);
      return;
    }
    const seq = seqOf(line);
    const count = Number(/^(\d+) /.exec(line)?.[1] ?? 1);
    if (seq === undefined || startedAt === undefined) return;
    for (let s = Math.max(0, seq - count + 1); s <= seq; s++) onArrival(s, startedAt);
  });
}

/** CPU seconds of a process group, for the CPU per 1,000 lines column. */
export const groupCpu = (pgid) => () => groupCpuSeconds(pgid);
