// Which rotated files are not safe to compress, move or expire yet: written too recently, or still open for writing.
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { RotateJobConfig } from "./schema.js";
import { archiveBaseOf, type PlannedAction } from "./plan.js";
import { formatAge } from "./policy.js";
import { findWriters, type Writer } from "./writers.js";

export interface Hold {
  /** The uncompressed rotated file. */
  path: string;
  reason: string;
  /** A process that holds it open for writing, when /proc shows one. */
  writer?: Writer;
  /** When its quiet time is over (ms from now), for a hold that is only a matter of time. */
  dueInMs?: number;
}

/**
 * The uncompressed files that `actions` would move, compress or delete. Nothing else needs checking:
 * a `.gz` or a file nobody acts on is never touched.
 */
export function plainFilesActedOn(actions: readonly PlannedAction[]): string[] {
  const files = new Set<string>();
  for (const action of actions) {
    const base = archiveBaseOf(action);
    if (base !== undefined && !action.path.endsWith(".gz")) files.add(action.path);
  }
  return [...files];
}

/**
 * Holds, by base name, on the files given. Quiet means neither written (mtime) nor renamed (ctime) for
 * rotate_wait; it applies to rename, where the app may still write to the file it had open (a copytruncate
 * copy has no writer). Open writers are looked for whatever the method.
 */
export async function findHolds(
  job: Pick<RotateJobConfig, "method" | "rotate_wait">,
  files: readonly string[],
  now: number,
  procDir?: string,
): Promise<Map<string, Hold>> {
  const holds = new Map<string, Hold>();
  const present: string[] = [];
  for (const file of files) {
    const st = await fsp.lstat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    present.push(file);
    const quietMs = now - Math.max(st.mtimeMs, st.ctimeMs);
    if (job.method === "rename" && job.rotate_wait > 0 && quietMs < job.rotate_wait) {
      const reason =
        `written or renamed ${formatAge(Math.max(0, quietMs))} ago; kept until quiet for ` +
        `rotate_wait ${formatAge(job.rotate_wait)}, as its writer may go on`;
      holds.set(path.basename(file), {
        path: file,
        reason,
        dueInMs: Math.min(job.rotate_wait, job.rotate_wait - quietMs),
      });
    }
  }
  const scan = await findWriters(present, procDir);
  for (const [file, writers] of scan.byPath) {
    const writer = writers[0] as Writer;
    const who = writers.map((w) => `pid ${w.pid} (${w.comm})`).join(", ");
    holds.set(path.basename(file), {
      path: file,
      writer,
      reason: `held open for writing by ${who}; kept until it lets go`,
    });
  }
  return holds;
}
