// One pass of one rotate job: expand its path, and for each file lock, scan, plan and apply (or only plan).
import { promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import type { Clock } from "../core/clock.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { RotateJobConfig } from "./schema.js";
import { acquireLock } from "./lock.js";
import { expandHome, expandJobPath, hasGlob } from "./paths.js";
import { archiveDirFor, buildActions, scanFile, type RotatePlan } from "./plan.js";
import { applyAction } from "./apply.js";
import { untilAgeDue } from "./policy.js";
import type { RotateState } from "./state.js";

export interface PassDeps {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  state: RotateState;
  beforeRelease?: (path: string) => Promise<void>;
  afterRotate?: (path: string) => Promise<void>;
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
  /** Milliseconds until the earliest max_age falls due, if any. */
  ageDueInMs?: number;
}

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
    const { plan, ageDueInMs } = await runFilePass(name, job, file, opts, deps);
    pass.plans.push(plan);
    if (ageDueInMs !== undefined) pass.ageDueInMs = Math.min(pass.ageDueInMs ?? Infinity, ageDueInMs);
  }
  return pass;
}

async function runFilePass(
  name: string,
  job: RotateJobConfig,
  file: string,
  opts: PassOptions,
  deps: PassDeps,
): Promise<{ plan: RotatePlan; ageDueInMs?: number }> {
  const plan: RotatePlan = { job: name, file, rotate: false, reason: "", actions: [], applied: !opts.dryRun };
  const archiveDir = archiveDirFor(job, file, expandHome);
  let release: (() => Promise<void>) | undefined;
  try {
    if (!opts.dryRun) {
      await fsp.mkdir(archiveDir, { recursive: true });
      const lock = await acquireLock(lockPathFor(archiveDir, file));
      if (!lock.acquired) {
        plan.reason = `skipped: locked by ${lock.holder}`;
        return { plan };
      }
      release = lock.release;
    }
    return await planAndApply(plan, name, job, archiveDir, opts, deps);
  } catch (err) {
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
): Promise<{ plan: RotatePlan; ageDueInMs?: number }> {
  const file = plan.file;
  const now = deps.clock.now();
  const lst = await fsp.lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  let facts: { size: number; contentSince: number; modifiedAt: number } | undefined;
  if (lst?.isSymbolicLink()) {
    // Never rotate through a link: it could lead out of the configured folders. A glob just skips it.
    if (!hasGlob(job.path)) plan.error = "is a symbolic link: not rotated (logward never rotates through links)";
  } else if (lst && !lst.isFile()) {
    plan.error = "not a regular file";
  } else if (lst) {
    const since = await contentSince(file, lst, now, opts.dryRun, deps);
    facts = { size: lst.size, contentSince: since, modifiedAt: lst.mtimeMs };
  } else if (!job.missing_ok && !hasGlob(job.path)) {
    plan.error = "file not found";
  }
  const scan = await scanFile(file, archiveDir);
  const { decision, actions } = buildActions(job, scan, facts, now, opts.force);
  plan.rotate = decision.rotate;
  plan.reason = lst?.isSymbolicLink() ? "symbolic link: skipped" : decision.reason;
  plan.actions = actions;
  if (!opts.dryRun) await applyAll(plan, name, job, scan, deps);
  const ageDueInMs = facts && !decision.rotate ? untilAgeDue(job, facts, now) : undefined;
  return { plan, ...(ageDueInMs !== undefined ? { ageDueInMs } : {}) };
}

async function contentSince(file: string, st: Stats, now: number, dryRun: boolean, deps: PassDeps): Promise<number> {
  const { since, known } = await deps.state.contentSince(file, st, now);
  if (!known && !dryRun) await deps.state.set({ path: file, since, dev: st.dev, ino: st.ino });
  return since;
}

/** Apply the steps in order; the first failure stops the pass (what is left is safe and retried next pass). */
async function applyAll(
  plan: RotatePlan,
  name: string,
  job: RotateJobConfig,
  scan: import("./plan.js").Scan,
  deps: PassDeps,
): Promise<void> {
  const hooks = {
    ...(deps.beforeRelease ? { beforeRelease: deps.beforeRelease } : {}),
    ...(deps.afterRotate ? { afterRotate: deps.afterRotate } : {}),
  };
  const ctx = {
    jobName: name,
    job,
    scan,
    state: deps.state,
    logger: deps.logger,
    now: () => deps.clock.now(),
    ...hooks,
  };
  const planned = plan.actions;
  plan.actions = []; // what was done, so a failure part-way leaves an honest record
  for (const action of planned) {
    try {
      await applyAction(action, ctx);
    } catch (err) {
      throw new Error(`${action.kind} ${action.path}: ${describeError(err)}`, { cause: err });
    }
    plan.actions.push(action);
    deps.logger.info({ job: name, path: action.path, to: action.to, reason: action.reason }, `rotate: ${action.kind}`);
    const counter = deps.metrics.counter(
      "rotate_actions_total",
      "Rotate steps done, by job and kind (rotate, compress, delete, cleanup, move)",
      ["job", "kind"],
    );
    counter.inc({ job: name, kind: action.kind });
  }
}
