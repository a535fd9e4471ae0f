// Which processes hold given files open for writing, from /proc/PID/fd links and /proc/PID/fdinfo flags (Linux).
import { promises as fsp } from "node:fs";

export interface Writer {
  pid: number;
  /** The process name (/proc/PID/comm), or "?" when it could not be read. */
  comm: string;
}

export interface WriterScan {
  /** False when /proc could not be read at all (not Linux, or mounted with hidepid): no writer is known. */
  visible: boolean;
  /** Writers by path (as given), only for paths that have one. */
  byPath: Map<string, Writer[]>;
}

/** At most this many descriptors are looked at per scan, so a host with huge fd tables cannot stall a pass. */
export const MAX_FDS_SCANNED = 200_000;

const O_ACCMODE = 0o3;

/**
 * Writers of each of `paths`. A process whose fd folder we may not read (another user's, when not root) is
 * skipped: the caller's quiet time is then the only protection. Never throws.
 */
export async function findWriters(paths: readonly string[], procDir = "/proc"): Promise<WriterScan> {
  const byPath = new Map<string, Writer[]>();
  if (paths.length === 0) return { visible: true, byPath };
  const wanted = await canonicalPaths(paths);
  let pids: string[];
  try {
    pids = (await fsp.readdir(procDir)).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(a) - Number(b));
  } catch {
    return { visible: false, byPath };
  }
  let budget = MAX_FDS_SCANNED;
  for (const pid of pids) {
    if (budget <= 0) break;
    const fdDir = `${procDir}/${pid}/fd`;
    const fds = await fsp.readdir(fdDir).catch(() => [] as string[]);
    budget -= fds.length;
    for (const [fd, given] of await fdsOpenOn(fdDir, fds, wanted)) {
      if (!(await writesThrough(procDir, pid, fd))) continue;
      const writers = byPath.get(given) ?? [];
      if (!writers.some((w) => w.pid === Number(pid)))
        writers.push({ pid: Number(pid), comm: await comm(procDir, pid) });
      byPath.set(given, writers);
    }
  }
  return { visible: true, byPath };
}

/** The descriptors (with the path asked for) that lead to one of the wanted files; links read 256 at a time. */
async function fdsOpenOn(fdDir: string, fds: string[], wanted: Map<string, string>): Promise<[string, string][]> {
  const found: [string, string][] = [];
  for (let start = 0; start < fds.length; start += 256) {
    const batch = fds.slice(start, start + 256);
    const targets = await Promise.all(batch.map((fd) => fsp.readlink(`${fdDir}/${fd}`).catch(() => "")));
    batch.forEach((fd, i) => {
      const given = wanted.get(targets[i] as string);
      if (given !== undefined) found.push([fd, given]);
    });
  }
  return found;
}

/** The kernel shows fd links with symlinks resolved: match against the real path of each file. */
async function canonicalPaths(paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of paths) out.set(await fsp.realpath(p).catch(() => p), p);
  return out;
}

/** Whether the descriptor was opened O_WRONLY or O_RDWR (a tailer reading the file is not a writer). */
async function writesThrough(procDir: string, pid: string, fd: string): Promise<boolean> {
  const info = await fsp.readFile(`${procDir}/${pid}/fdinfo/${fd}`, "utf8").catch(() => "");
  const m = /^flags:\s*([0-7]+)$/m.exec(info);
  if (!m?.[1]) return false; // closed meanwhile
  return (parseInt(m[1], 8) & O_ACCMODE) !== 0;
}

async function comm(procDir: string, pid: string): Promise<string> {
  const text = await fsp.readFile(`${procDir}/${pid}/comm`, "utf8").catch(() => "?");
  return text.trim() || "?";
}
