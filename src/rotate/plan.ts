// One file's pass as a list of steps: scan its folders, then let the pure policy decide (dry run prints this).
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { RotateJobConfig } from "./schema.js";
import { parseArchiveName, parseArchiveTemp, TEMP_SUFFIX, type ArchiveName } from "./naming.js";
import { parseLegacyArchiveName } from "./legacy.js";
import {
  archivesToCompress,
  decideRotation,
  expiredArchives,
  formatAge,
  groupArchives,
  leftoverPlainCopies,
  pickArchiveName,
  type ArchiveGroup,
  type Decision,
  type FileFacts,
} from "./policy.js";

/** `wait`: a rotated file is left as it is for now (a writer may still write to it); the next pass looks again. */
export type ActionKind = "cleanup" | "move" | "rotate" | "compress" | "delete" | "wait";

export interface PlannedAction {
  kind: ActionKind;
  /** The file acted on. */
  path: string;
  /** Where it goes (move, rotate, compress). */
  to?: string;
  reason: string;
}

/** What one pass did (or, in a dry run, would do) to one file of one job. */
export interface RotatePlan {
  job: string;
  file: string;
  rotate: boolean;
  /** Why it rotates or not (or why it was skipped). */
  reason: string;
  actions: PlannedAction[];
  /** Set when something failed or the file could not be handled. */
  error?: string;
  /** False for a dry run: nothing was changed. */
  applied: boolean;
}

/** What is on disk around one log file. */
export interface Scan {
  file: string;
  basename: string;
  sourceDir: string;
  archiveDir: string;
  /** Archives of this file in archiveDir (regular files only: links are never archives). */
  archives: ArchiveName[];
  /** Archives stranded beside the file by an interrupted cross-filesystem move. */
  stranded: ArchiveName[];
  /** Temp files of interrupted writes, as full paths. */
  temps: string[];
  /** Every name in archiveDir, for collision checks. */
  taken: Set<string>;
}

/** archive_dir: absolute, ~/, or relative to the log file's folder; default the log file's folder. */
export function archiveDirFor(
  job: Pick<RotateJobConfig, "archive_dir">,
  file: string,
  expand: (p: string) => string,
): string {
  const dir = path.dirname(file);
  if (!job.archive_dir) return dir;
  if (job.archive_dir.startsWith("~")) return expand(job.archive_dir);
  return path.resolve(dir, job.archive_dir);
}

export async function scanFile(file: string, archiveDir: string): Promise<Scan> {
  const basename = path.basename(file);
  const sourceDir = path.dirname(file);
  const scan: Scan = { file, basename, sourceDir, archiveDir, archives: [], stranded: [], temps: [], taken: new Set() };
  for (const entry of await listDir(archiveDir)) {
    scan.taken.add(entry.name);
    if (!entry.isFile()) continue;
    const archive = parseArchiveName(basename, entry.name) ?? parseLegacyArchiveName(basename, entry.name);
    if (archive) scan.archives.push(archive);
    else if (parseArchiveTemp(basename, entry.name)) scan.temps.push(path.join(archiveDir, entry.name));
  }
  if (sourceDir !== archiveDir) {
    for (const entry of await listDir(sourceDir)) {
      if (!entry.isFile()) continue;
      const archive = parseArchiveName(basename, entry.name) ?? parseLegacyArchiveName(basename, entry.name);
      if (archive) scan.stranded.push(archive);
      else if (parseArchiveTemp(basename, entry.name)) scan.temps.push(path.join(sourceDir, entry.name));
    }
  }
  return scan;
}

async function listDir(dir: string): Promise<import("node:fs").Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/**
 * The steps of one pass, in execution order: clean up after a crash, rotate, compress, expire.
 * `facts` is undefined when the file is missing (recovery and retention still run). `holds` names the
 * uncompressed archives (by base name) that must not be moved, compressed or deleted yet, and why: each
 * becomes one `wait` step instead.
 */
export function buildActions(
  job: RotateJobConfig,
  scan: Scan,
  facts: FileFacts | undefined,
  now: number,
  force: boolean,
  holds: ReadonlyMap<string, string> = new Map(),
): { decision: Decision; actions: PlannedAction[] } {
  const { decision, actions, fresh } = allActions(job, scan, facts, now, force);
  const held = new Map(holds);
  if (fresh && job.method === "rename" && job.rotate_wait > 0) {
    held.set(
      fresh,
      `just renamed; kept until quiet for rotate_wait ${formatAge(job.rotate_wait)}, as its writer may go on`,
    );
  }
  return { decision, actions: withHolds(actions, held) };
}

/** The base name of the archive an action touches, for moves, compressions, deletions and leftover clean-ups. */
export function archiveBaseOf(action: PlannedAction): string | undefined {
  if (action.kind === "rotate" || action.kind === "wait" || action.path.endsWith(TEMP_SUFFIX)) return undefined;
  const name = path.basename(action.path);
  return name.endsWith(".gz") ? name.slice(0, -3) : name;
}

/** Replace every step on a held archive by one `wait` step (where its first step would have been). */
function withHolds(actions: readonly PlannedAction[], holds: ReadonlyMap<string, string>): PlannedAction[] {
  const out: PlannedAction[] = [];
  const waiting = new Set<string>();
  for (const action of actions) {
    const base = archiveBaseOf(action);
    const reason = base === undefined ? undefined : holds.get(base);
    if (base === undefined || reason === undefined) out.push(action);
    else if (!waiting.has(base)) {
      waiting.add(base);
      out.push({
        kind: "wait",
        path: action.kind === "move" ? action.path : path.join(path.dirname(action.path), base),
        reason,
      });
    }
  }
  return out;
}

function allActions(
  job: RotateJobConfig,
  scan: Scan,
  facts: FileFacts | undefined,
  now: number,
  force: boolean,
): { decision: Decision; actions: PlannedAction[]; fresh?: string } {
  const { archiveDir } = scan;
  const actions: PlannedAction[] = [...scan.temps]
    .sort()
    .map((t) => ({ kind: "cleanup", path: t, reason: "temp file of an interrupted write" }));
  const movable = scan.stranded.filter((a) => !scan.taken.has(a.name)).sort((a, b) => a.name.localeCompare(b.name));
  for (const a of movable) {
    actions.push({
      kind: "move",
      path: path.join(scan.sourceDir, a.name),
      to: path.join(archiveDir, a.name),
      reason: "archive beside the file belongs in archive_dir (an interrupted move, or archive_dir was changed)",
    });
  }
  let groups = groupArchives([...scan.archives, ...movable]);
  for (const g of leftoverPlainCopies(groups)) {
    actions.push({
      kind: "cleanup",
      path: path.join(archiveDir, g.base),
      reason: "its .gz is complete (compression was interrupted before removing it; compressed again if it grew)",
    });
    g.plain = false;
  }
  const decision = facts ? decideRotation(job, facts, now, force) : { rotate: false, reason: "missing" };
  let fresh: string | undefined;
  if (decision.rotate) {
    const taken = new Set([...scan.taken, ...movable.map((a) => a.name)]);
    const name = pickArchiveName(scan.basename, now, taken);
    fresh = name;
    actions.push({
      kind: "rotate",
      path: scan.file,
      to: path.join(archiveDir, name),
      reason: `${decision.reason}; method ${job.method}`,
    });
    groups = groupArchives([...groupsToNames(groups), parseArchiveName(scan.basename, name) as ArchiveName]);
  }
  const expired = expiredArchives(job, groups, now);
  const expiredBases = new Set(expired.map((e) => e.group.base));
  for (const g of archivesToCompress(job, groups)) {
    if (expiredBases.has(g.base)) continue;
    const from = path.join(archiveDir, g.base);
    actions.push({
      kind: "compress",
      path: from,
      to: `${from}.gz`,
      reason: job.delay_compress ? "compress (delay_compress: not the newest)" : "compress",
    });
  }
  for (const e of expired) {
    const names = [e.group.plain ? e.group.base : undefined, e.group.gz ? `${e.group.base}.gz` : undefined].filter(
      (n) => n !== undefined,
    );
    for (const n of names) actions.push({ kind: "delete", path: path.join(archiveDir, n), reason: e.reason });
  }
  return { decision, actions, ...(fresh ? { fresh } : {}) };
}

/** Turn groups back into archive names (keeping plain/gz flags) to regroup with a new archive. */
function groupsToNames(groups: readonly ArchiveGroup[]): ArchiveName[] {
  const names: ArchiveName[] = [];
  for (const g of groups) {
    if (g.plain) names.push({ name: g.base, base: g.base, stampMs: g.stampMs, seq: g.seq, gz: false });
    if (g.gz) names.push({ name: `${g.base}.gz`, base: g.base, stampMs: g.stampMs, seq: g.seq, gz: true });
  }
  return names;
}
