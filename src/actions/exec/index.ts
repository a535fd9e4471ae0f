// The exec action: run a configured command per event, one run at a time per rule, events that arrive
// meanwhile coalesced into the next run; log content only in the environment and on stdin.
import fs from "node:fs";
import type { Action, ActionContext, ActionKind } from "../../core/component.js";
import { describeError } from "../../core/errors.js";
import { EpisodeLog, isResourceExhausted } from "../../core/exhaustion.js";
import type { LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import { formatDuration } from "../../core/units.js";
import { expandHome } from "../../core/paths.js";
import { IdleWaiters, within } from "../../core/lifetime.js";
import { commandEnv } from "./env.js";
import { RuleLane, type Job } from "./lane.js";
import { runCommand, type RunResult, type RunningCommand, type RunSpec } from "./runner.js";
import { execSchema, type ExecConfig } from "./schema.js";
import { SpareShells } from "./spare.js";

/** Time between SIGTERM and SIGKILL when a command times out or logward stops. */
export const KILL_GRACE_MS = 2000;
/** Starts tried while the system is out of descriptors or processes (EMFILE, ENFILE, EAGAIN), about a minute in all. */
const SPAWN_ATTEMPTS = 20;

/** 50 ms, doubling, at most 5 s between starts refused for lack of resources. */
function spawnRetryDelay(attempt: number): number {
  return Math.min(5000, 50 * 2 ** Math.min(attempt - 1, 10));
}

export const execAction: ActionKind<ExecConfig> = {
  type: "exec",
  schema: execSchema,
  create: (config, context) => new ExecAction(config, context),
};

export class ExecAction implements Action {
  private readonly lanes = new Map<string, RuleLane>();
  private readonly running = new Set<RunningCommand>();
  private readonly idleWaiters = new IdleWaiters();
  private stopped = false;
  private readonly runs;
  private readonly spawnRetries;
  private readonly spawnLog: EpisodeLog;
  /**
   * logward's environment with the configured `env` over it, copied once: spreading process.env reads every variable
   * through Node's environment accessor (≈ 0.15 ms for 50 variables), which was the largest cost before spawn().
   */
  private readonly baseEnv: NodeJS.ProcessEnv;
  private readonly cwd: string | undefined;
  /** A shell started ahead of the next event, so no fork of logward is on the path from event to command. */
  private readonly spares: SpareShells;

  /** `spares: false` always spawns cold (tests compare both paths). */
  constructor(
    private readonly config: ExecConfig,
    private readonly context: ActionContext,
    options: { spares?: boolean } = {},
  ) {
    this.baseEnv = { ...process.env, ...config.env };
    this.cwd = config.cwd === undefined ? undefined : expandHome(config.cwd);
    this.spares = new SpareShells(
      // A spare's output is a pipe to the log: inherited output needs each run's own spawn.
      {
        shell: config.shell,
        cwd: this.cwd,
        env: this.baseEnv,
        enabled: (options.spares ?? true) && config.output === "log",
      },
      context.logger,
    );
    this.spares.prime();
    this.runs = context.metrics.counter("exec_runs_total", "Commands run by exec actions, by outcome", [
      "action",
      "rule",
      "result",
    ]);
    this.spawnRetries = context.metrics.counter(
      "exec_spawn_retries_total",
      "Command starts retried because the system was out of file descriptors or processes",
      ["action"],
    );
    this.spawnLog = new EpisodeLog(context.logger, "command could not be started for lack of resources; retrying");
  }

  /** The pid of the spare shell waiting for the next run, if one is (tests and diagnostics). */
  get sparePid(): number | undefined {
    return this.spares.readyPid;
  }

  async send(event: LogEvent, release: Release): Promise<void> {
    if (this.stopped) return; // not released: read again after the restart
    this.lane(event.rule).offer(event, release);
  }

  async flush(deadlineMs: number): Promise<void> {
    if (this.isIdle()) return;
    await within(this.context.clock, deadlineMs, this.idleWaiters.next());
  }

  /** Stop taking events, forget queued ones, and terminate running commands. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) lane.clear();
    const running = [...this.running];
    // The lanes were cleared, so killed commands' events stay unreleased: read again after the restart.
    for (const command of running) command.kill();
    await Promise.all([...running.map((command) => command.done), this.spares.stop()]);
  }

  private lane(rule: string): RuleLane {
    let lane = this.lanes.get(rule);
    if (!lane) {
      const logger = this.context.logger.child({ rule });
      lane = new RuleLane({
        concurrency: this.config.concurrency,
        maxQueueLines: this.config.max_queue_lines,
        run: (job) => this.run(job),
        onFirstDrop: (dropped) =>
          logger.warn(
            { dropped, max_queue_lines: this.config.max_queue_lines },
            "the command is still running and more than max_queue_lines lines are queued: " +
              `dropping the oldest (${dropped} so far)`,
          ),
        onIdle: () => this.notifyIfIdle(),
        waitMs: this.config.wait,
        clock: this.context.clock,
        onWaitEnd: (ignored) =>
          logger.info(
            { ignored, wait_ms: this.config.wait },
            `ignored ${ignored} ${ignored === 1 ? "match" : "matches"} while the command ran ` +
              `and ${formatDuration(this.config.wait)} after`,
          ),
      });
      this.lanes.set(rule, lane);
    }
    return lane;
  }

  private async run(job: Job): Promise<void> {
    const rule = job.latest.rule;
    const logger = this.context.logger.child({ rule });
    if (job.dropped > 0) {
      logger.warn(
        { dropped: job.dropped, events: job.events },
        `dropped ${job.dropped} oldest queued lines (max_queue_lines ${this.config.max_queue_lines}) ` +
          "while the command was running",
      );
    }
    for (let attempt = 1; ; attempt++) {
      const command = this.start(job, logger);
      if (!command) return;
      this.running.add(command);
      let result: RunResult;
      try {
        result = await command.done;
      } finally {
        this.running.delete(command);
      }
      if (!isResourceExhausted(result.error) || this.stopped || attempt >= SPAWN_ATTEMPTS) {
        if (attempt > 1) this.spawnLog.end();
        return this.report(result, job, logger);
      }
      // Out of descriptors or processes: a moment later there usually are some again; the event waits, not lost.
      this.spawnRetries.inc({ action: this.context.name });
      this.spawnLog.note({ err: describeError(result.error), attempts: SPAWN_ATTEMPTS });
      await new Promise<void>((resolve) => this.context.clock.setTimeout(resolve, spawnRetryDelay(attempt)));
    }
  }

  /** On the spare shell when one is ready, else a cold `shell -c` spawn (and a spare started for the next run). */
  private start(job: Job, logger: ActionContext["logger"]): RunningCommand | undefined {
    const vars = commandEnv(job.latest, job);
    const spec: RunSpec = {
      shell: this.config.shell,
      command: this.config.command,
      cwd: this.cwd,
      env: this.baseEnv, // the spare's; a cold run gets the variables in its env below
      stdin: job.lines.length > 0 ? `${job.lines.join("\n")}\n` : "",
      timeoutMs: this.config.timeout,
      killGraceMs: KILL_GRACE_MS,
      output: this.config.output,
    };
    try {
      const warm = this.spares.run(spec, vars, this.context.clock, logger);
      if (warm) return warm;
      const cold = runCommand({ ...spec, env: { ...this.baseEnv, ...vars } }, this.context.clock, logger);
      this.spares.prime();
      return cold;
    } catch (err) {
      this.runs.inc({ action: this.context.name, rule: job.latest.rule, result: "error" });
      logger.error({ err: describeError(err) }, "command could not be started");
      return undefined;
    }
  }

  private report(result: RunResult, job: Job, logger: ActionContext["logger"]): void {
    const details = {
      code: result.code,
      signal: result.signal,
      duration_ms: result.durationMs,
      count: job.count,
      events: job.events,
    };
    const outcome = result.error ? "error" : result.timedOut ? "timeout" : result.code === 0 ? "ok" : "failed";
    this.runs.inc({ action: this.context.name, rule: job.latest.rule, result: outcome });
    if (outcome === "ok") logger.info(details, "command finished");
    else if (outcome === "error")
      logger.error({ ...details, err: this.startError(result.error) }, "command could not be started");
    else if (outcome === "timeout")
      logger.error(
        details,
        `command timed out after ${formatDuration(this.config.timeout)}; its process group was killed`,
      );
    else
      logger.warn(
        details,
        `command failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.code}`})`,
      );
  }

  /** Node reports a missing cwd as the shell missing (spawn /bin/sh ENOENT): name the real culprit. */
  private startError(err: unknown): string {
    const cwd = this.cwd;
    if (cwd !== undefined && (err as NodeJS.ErrnoException).code === "ENOENT" && !fs.existsSync(cwd))
      return `working directory ${cwd} does not exist`;
    return describeError(err);
  }

  private isIdle(): boolean {
    return [...this.lanes.values()].every((lane) => lane.idle);
  }

  private notifyIfIdle(): void {
    if (this.isIdle()) this.idleWaiters.wake();
  }
}
