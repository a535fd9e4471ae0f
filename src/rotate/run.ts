// One pass of one rotate job: expand its path, and for each file lock, scan, plan and apply (or only plan).
import { makeDirs } from "../core/mkdirs.js";
import { promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import type { Clock } from "../core/clock.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { RotateJobConfig } from "./schema.js";
import { acquireLock } from "./lock.js";
import { expandHome, expandJobPath, hasGlob } from "./paths.js";
import { archiveDirFor, buildActions, scanFile, type PlannedAction, type RotatePlan, type Scan } from "./plan.js";
import { applyAction } from "./apply.js";
import { untilAgeDue, type FileFacts } from "./policy.js";
import type { RotateState } from "./state.js";
import { findHolds, plainFilesActedOn, type Hold } from "./pending.js";
import { assertSafeArchiveDir } from "./safety.js";

export interface PassDeps {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  state: RotateState;
  beforeRelease?: (path: string) => Promise<void>;
  afterRotate?: (path: string) => Promise<void>;
  /** Stops the pass between steps (and inside a compression); what is left is picked up by the next pass. */
  signal?: AbortSignal;
  /** Writers already warned about (archive path + pid), so each is said once. */
  warned?: Set<string>;
}

export interface PassOptions {
  dryRun: boolean;
  force: boolean;
}

export interface JobPass {
  plans: RotatePlan[];
  /** Folders holding the job's files, to watch. */
  dirs: string[];
  /** Files seen, for size checks on watch events. */
  files: string[];
  /** Milliseconds until the earliest max_age or rotate_wait falls due, if any. */
  dueInMs?: number;
}

/** Writers remembered as already warned about, per scheduler. */
const MAX_WARNED = 1000;

/** Lock file of one log file, in its archive folder (shared by every process rotating into it). */
export const lockPathFor = (archiveDir: string, file: string): string =>
  path.join(archiveDir, `.${path.basename(file)}.logward-lock`);

export async function runJobPass(
  name: string,
  job: RotateJobConfig,
  opts: PassOptions,
  deps: PassDeps,
): Promise<JobPass> {
  const expansion = await expandJobPath(job.path);
  const pass: JobPass = { plans: [], dirs: expansion.dirs, files: expansion.files };
  if (expansion.files.length === 0) {
    const error = job.missing_ok ? undefined : `no file matches ${job.path}`;
    pass.plans.push({
      job: name,
      file: expandHome(job.path),
      rotate: false,
      reason: "no file matches",
      actions: [],
      applied: !opts.dryRun,
      ...(error ? { error } : {}),
    });
  }
  for (const file of expansion.files) {
    if (deps.signal?.aborted) break; // the files not reached are picked up by the next pass
    const { plan, dueInMs } = await runFilePass(name, job, file, opts, deps);
    pass.plans.push(plan);
    if (dueInMs !== undefined) pass.dueInMs = Math.min(pass.dueInMs ?? Infinity, dueInMs);
  }
  return pass;
}

async function runFilePass(
  name: string,
  job: RotateJobConfig,
  file: string,
  opts: PassOptions,
  deps: PassDeps,
): Promise<{ plan: RotatePlan; dueInMs?: number }> {
  const plan: RotatePlan = { job: name, file, rotate: false, reason: "", actions: [], applied: !opts.dryRun };
  const archiveDir = archiveDirFor(job, file, expandHome);
  let release: (() => Promise<void>) | undefined;
  try {
    await assertSafeArchiveDir(archiveDir);
    if (!opts.dryRun) {
      // Never group- or world-writable, whatever the umask: assertSafeArchiveDir would refuse it.
      await makeDirs(archiveDir, 0o755);
      await assertSafeArchiveDir(archiveDir);
      const lock = await acquireLock(lockPathFor(archiveDir, file));
      if (!lock.acquired) {
        plan.reason = `skipped: locked by ${lock.holder}`;
        return { plan };
      }
      release = lock.release;
    }
    return await planAndApply(plan, name, job, archiveDir, opts, deps);
  } catch (err) {
    if (deps.signal?.aborted) {
      plan.reason = "interrupted: the next pass resumes it";
      deps.logger.info({ job: name, file }, "rotation interrupted");
      return { plan };
    }
    plan.error = describeError(err);
    deps.metrics.counter("rotate_errors_total", "Rotate passes that failed, by job", ["job"]).inc({ job: name });
    deps.logger.error({ job: name, file, err: plan.error }, "rotation failed");
    return { plan };
  } finally {
    await release?.();
  }
}

async function planAndApply(
  plan: RotatePlan,
  name: string,
  job: RotateJobConfig,
  archiveDir: string,
  opts: PassOptions,
  deps: PassDeps,
): Promise<{ plan: RotatePlan; dueInMs?: number }> {
  const file = plan.file;
  const now = deps.clock.now();
  const { lst, facts } = await liveFileFacts(plan, job, now, opts, deps);
  const first = await planWithHolds(name, job, await scanFile(file, archiveDir), facts, now, opts.force, deps);
  plan.rotate = first.decision.rotate;
  plan.reason = lst?.isSymbolicLink() ? "symbolic link: skipped" : first.decision.reason;
  plan.actions = first.actions;
  let holdDueInMs = first.dueInMs;
  if (!opts.dryRun) {
    plan.actions = []; // what was done, so a failure part-way leaves an honest record
    const rotateAt = first.actions.findIndex((a) => a.kind === "rotate");
    const upToRotation = rotateAt < 0 ? first.actions : first.actions.slice(0, rotateAt + 1);
    await applyAll(plan, upToRotation, name, job, deps, first.scan);
    if (rotateAt >= 0) {
      // The rest is decided again on what the rotation left: is the renamed file still written to?
      const scan = await scanFile(file, archiveDir);
      const rest = await planWithHolds(name, job, scan, undefined, deps.clock.now(), false, deps);
      await applyAll(plan, rest.actions, name, job, deps, scan);
      holdDueInMs = rest.dueInMs;
    }
  }
  const ageDueInMs = facts && !first.decision.rotate ? untilAgeDue(job, facts, now) : undefined;
  const dueInMs = Math.min(ageDueInMs ?? Infinity, holdDueInMs ?? Infinity);
  return { plan, ...(dueInMs !== Infinity ? { dueInMs } : {}) };
}

/** The live file's size and content age; a link, a non-file or a missing file is noted in the plan instead. */
async function liveFileFacts(
  plan: RotatePlan,
  job: RotateJobConfig,
  now: number,
  opts: PassOptions,
  deps: PassDeps,
): Promise<{ lst?: Stats; facts?: FileFacts }> {
  const lst = await fsp.lstat(plan.file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (lst?.isSymbolicLink()) {
    // Never rotate through a link: it could lead out of the configured folders. A glob just skips it.
    if (!hasGlob(job.path)) plan.error = "is a symbolic link: not rotated (logward never rotates through links)";
  } else if (lst && !lst.isFile()) {
    plan.error = "not a regular file";
  } else if (lst) {
    const since = await contentSince(plan.file, lst, now, opts.dryRun, deps);
    return { lst, facts: { size: lst.size, contentSince: since, modifiedAt: lst.mtimeMs } };
  } else if (!job.missing_ok && !hasGlob(job.path)) {
    plan.error = "file not found";
  }
  return lst ? { lst } : {};
}

/**
 * The pass's steps, with a `wait` instead of any step on an uncompressed archive that is not quiet yet or that
 * a process still writes to (so no line it writes ends up in a compressed-away or deleted file).
 */
async function planWithHolds(
  name: string,
  job: RotateJobConfig,
  scan: Scan,
  facts: FileFacts | undefined,
  now: number,
  force: boolean,
  deps: PassDeps,
): Promise<{
  decision: ReturnType<typeof buildActions>["decision"];
  actions: PlannedAction[];
  scan: Scan;
  dueInMs?: number;
}> {
  const preliminary = buildActions(job, scan, facts, now, force);
  const files = plainFilesActedOn(preliminary.actions);
  if (files.length === 0) return { ...preliminary, scan };
  const holds = await findHolds(job, files, now);
  warnAboutWriters(name, job, holds, deps);
  const reasons = new Map([...holds].map(([base, hold]) => [base, hold.reason]));
  const { decision, actions } = buildActions(job, scan, facts, now, force, reasons);
  const due = Math.min(...[...holds.values()].map((h) => h.dueInMs ?? Infinity));
  return { decision, actions, scan, ...(due !== Infinity ? { dueInMs: due } : {}) };
}

/** Once per file and writer: who still writes to a rotated file, and what would make it let go. */
function warnAboutWriters(name: string, job: RotateJobConfig, holds: Map<string, Hold>, deps: PassDeps): void {
  for (const hold of holds.values()) {
    if (!hold.writer) continue;
    const key = `${hold.path}\0${hold.writer.pid}`;
    if (deps.warned?.has(key)) continue;
    deps.warned?.add(key);
    // Bounded: the oldest are forgotten first (at worst a long-gone writer is named again).
    if (deps.warned && deps.warned.size > MAX_WARNED) deps.warned.delete(deps.warned.values().next().value as string);
    const fix =
      job.method === "rename"
        ? "set post_rotate (say kill -HUP) so the app reopens its file, or use method: copytruncate"
        : "the app should close it";
    deps.logger.warn(
      { job: name, file: hold.path, pid: hold.writer.pid, comm: hold.writer.comm },
      `rotated file still open for writing by pid ${hold.writer.pid} (${hold.writer.comm}): kept uncompressed ` +
        `until it lets go; ${fix}`,
    );
  }
}

async function contentSince(file: string, st: Stats, now: number, dryRun: boolean, deps: PassDeps): Promise<number> {
  const { since, known } = await deps.state.contentSince(file, st, now);
  if (!known && !dryRun) await deps.state.set({ path: file, since, dev: st.dev, ino: st.ino });
  return since;
}

/** Apply the steps in order; the first failure stops the pass (what is left is safe and retried next pass). */
async function applyAll(
  plan: RotatePlan,
  planned: readonly PlannedAction[],
  name: string,
  job: RotateJobConfig,
  deps: PassDeps,
  scan: Scan,
): Promise<void> {
  const ctx = {
    jobName: name,
    job,
    scan,
    state: deps.state,
    logger: deps.logger,
    now: () => deps.clock.now(),
    ...(deps.beforeRelease ? { beforeRelease: deps.beforeRelease } : {}),
    ...(deps.afterRotate ? { afterRotate: deps.afterRotate } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  for (const action of planned) {
    deps.signal?.throwIfAborted();
    try {
      await applyAction(action, ctx);
    } catch (err) {
      if (deps.signal?.aborted) throw err;
      throw new Error(`${action.kind} ${action.path}: ${describeError(err)}`, { cause: err });
    }
    plan.actions.push(action);
    const log = { job: name, path: action.path, to: action.to, reason: action.reason };
    if (action.kind === "wait") {
      deps.logger.debug(log, "rotate: wait");
      continue;
    }
    deps.logger.info(log, `rotate: ${action.kind}`);
    const counter = deps.metrics.counter(
      "rotate_actions_total",
      "Rotate steps done, by job and kind (rotate, compress, delete, cleanup, move)",
      ["job", "kind"],
    );
    counter.inc({ job: name, kind: action.kind });
  }
}
