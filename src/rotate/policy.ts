// Rotation policy (pure): when a file rotates, what its archive is called, what is compressed and expired.
import type { RotateJobConfig } from "./schema.js";
import { archiveName, compareNewestFirst, type ArchiveName } from "./naming.js";

const DAY_MS = 86_400_000;

/** What the policy needs to know about a live file. */
export interface FileFacts {
  size: number;
  /** Since when its current content accumulates (last rotation, else its creation). */
  contentSince: number;
  /** Last modification (mtime), for max_idle. */
  modifiedAt?: number;
}

export interface Decision {
  rotate: boolean;
  reason: string;
}

type Policy = Pick<RotateJobConfig, "max_size" | "max_age" | "min_size" | "notifempty"> & { max_idle?: number };

/** Whether the file rotates now, and why (or why not), in words for the dry-run plan. */
export function decideRotation(job: Policy, file: FileFacts, now: number, force: boolean): Decision {
  const size = formatBytes(file.size);
  if (file.size === 0 && job.notifempty) return { rotate: false, reason: "empty (notifempty)" };
  if (force) return { rotate: true, reason: "forced" };
  if (job.min_size !== undefined && file.size < job.min_size) {
    return { rotate: false, reason: `size ${size} below min_size ${formatBytes(job.min_size)}` };
  }
  if (job.max_size !== undefined && file.size >= job.max_size) {
    return { rotate: true, reason: `size ${size} reached max_size ${formatBytes(job.max_size)}` };
  }
  const age = Math.max(0, now - file.contentSince);
  if (job.max_age !== undefined && age >= job.max_age) {
    return { rotate: true, reason: `content age ${formatAge(age)} reached max_age ${formatAge(job.max_age)}` };
  }
  const idle = Math.max(0, now - (file.modifiedAt ?? now));
  if (job.max_idle !== undefined && idle >= job.max_idle) {
    return { rotate: true, reason: `not modified for ${formatAge(idle)}, reached max_idle ${formatAge(job.max_idle)}` };
  }
  const not: string[] = [];
  if (job.max_size !== undefined) not.push(`size ${size} < max_size ${formatBytes(job.max_size)}`);
  if (job.max_age !== undefined) not.push(`content age ${formatAge(age)} < max_age ${formatAge(job.max_age)}`);
  if (job.max_idle !== undefined) not.push(`not modified for ${formatAge(idle)} < max_idle ${formatAge(job.max_idle)}`);
  return { rotate: false, reason: not.length ? not.join(", ") : "no max_size or max_age: rotates only with --force" };
}

/** Milliseconds until max_age falls due for this file (0 when due), or undefined without max_age. */
export function untilAgeDue(job: Policy, file: FileFacts, now: number): number | undefined {
  const due: number[] = [];
  if (job.max_age !== undefined) due.push(file.contentSince + job.max_age);
  if (job.max_idle !== undefined) due.push((file.modifiedAt ?? now) + job.max_idle);
  return due.length === 0 ? undefined : Math.max(0, Math.min(...due) - now);
}

/** The archive name for a rotation at `now`, with -1, -2... when the second's name is taken (plain or .gz). */
export function pickArchiveName(basename: string, now: number, taken: ReadonlySet<string>): string {
  for (let seq = 0; ; seq++) {
    const name = archiveName(basename, now, seq);
    if (!taken.has(name) && !taken.has(`${name}.gz`) && !taken.has(`${name}.gz.logward-tmp`)) return name;
  }
}

/** One rotation's archive: the plain file, its .gz, or (after a crash) both. */
export interface ArchiveGroup {
  base: string;
  stampMs: number;
  seq: number;
  plain: boolean;
  gz: boolean;
}

/** Group archive files by rotation, newest first. */
export function groupArchives(archives: readonly ArchiveName[]): ArchiveGroup[] {
  const byBase = new Map<string, ArchiveGroup>();
  for (const a of [...archives].sort(compareNewestFirst)) {
    const group = byBase.get(a.base) ?? { base: a.base, stampMs: a.stampMs, seq: a.seq, plain: false, gz: false };
    if (a.gz) group.gz = true;
    else group.plain = true;
    byBase.set(a.base, group);
  }
  return [...byBase.values()];
}

/**
 * Uncompressed archives that should be compressed now: every one without its .gz, except the newest
 * when delay_compress keeps it readable until the next rotation.
 */
export function archivesToCompress(
  job: Pick<RotateJobConfig, "compress" | "delay_compress">,
  groups: readonly ArchiveGroup[],
): ArchiveGroup[] {
  if (!job.compress) return [];
  return groups.filter((g, i) => g.plain && !g.gz && !(job.delay_compress && i === 0));
}

/** A rotation both compressed and not: the .gz was renamed into place only once complete, so the plain copy goes. */
export function leftoverPlainCopies(groups: readonly ArchiveGroup[]): ArchiveGroup[] {
  return groups.filter((g) => g.plain && g.gz);
}

export interface Expiry {
  group: ArchiveGroup;
  reason: string;
}

/** Archives that retention deletes: beyond `keep` newest, or rotated more than keep_days ago. */
export function expiredArchives(
  job: Pick<RotateJobConfig, "keep" | "keep_days">,
  groups: readonly ArchiveGroup[],
  now: number,
): Expiry[] {
  const expired: Expiry[] = [];
  groups.forEach((group, index) => {
    if (job.keep !== undefined && index >= job.keep) {
      expired.push({ group, reason: `beyond keep ${job.keep} (newest ${job.keep} kept)` });
    } else if (job.keep_days !== undefined && now - group.stampMs > job.keep_days * DAY_MS) {
      expired.push({
        group,
        reason: `rotated ${formatAge(now - group.stampMs)} ago, beyond keep_days ${job.keep_days}`,
      });
    }
  });
  return expired;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(1)}${units[unit]}`;
}

export function formatAge(ms: number): string {
  const steps: [number, string][] = [
    [DAY_MS, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of steps) if (ms >= size) return `${+(ms / size).toFixed(1)}${unit}`;
  return `${Math.round(ms)}ms`;
}
