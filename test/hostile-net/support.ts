// Shared by the network attack tests: a real daemon from a config, its addresses, memory, and descriptor limit.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLogward, waitFor, type Running } from "../helpers.js";

/** Start `logward run` on a config written into dir (relative paths in it resolve there). */
export function startDaemon(dir: string, config: string[]): Running {
  const path = join(dir, "logward.yaml");
  writeFileSync(path, config.join("\n") + "\n");
  return startLogward(["run", "-c", path], { cwd: dir });
}

/** The syslog source's bound addresses, from its "syslog listening" log line. */
export async function syslogAddresses(daemon: Running): Promise<{ tcp?: Address; udp?: Address }> {
  const line = await daemon.waitForLog("syslog listening");
  const result: { tcp?: Address; udp?: Address } = {};
  for (const url of line.listen as string[]) {
    const m = /^(tcp|udp):\/\/([\d.]+):(\d+)$/.exec(url);
    if (m) result[m[1] as "tcp" | "udp"] = { host: m[2] as string, port: Number(m[3]) };
  }
  return result;
}

export interface Address {
  host: string;
  port: number;
}

/** Resident memory now and its peak so far (VmRSS, VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Lower a running process's open-file limit (as `ulimit -n` would have before it started). */
export function limitDescriptors(pid: number, max: number): void {
  execFileSync("prlimit", [`--pid=${pid}`, `--nofile=${max}:${max}`]);
}

/** Descriptors the process holds now. */
export function openDescriptors(pid: number): number {
  return Number(
    execFileSync("sh", ["-c", `ls /proc/${pid}/fd | wc -l`])
      .toString()
      .trim(),
  );
}

/** Log lines whose message matches. */
export function logsMatching(daemon: Running, re: RegExp): Record<string, unknown>[] {
  return daemon.logs().filter((l) => re.test(String(l.msg)));
}

/** The daemon is still running and answers: `alive` checks the process, the caller checks it acts. */
export function alive(daemon: Running): boolean {
  return daemon.child.exitCode === null && daemon.child.signalCode === null;
}

export { waitFor };
