// What `logward rotate` does once its flags are parsed: one pass of every rotate job, its plan printed.
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Config } from "../config/types.js";
import { systemClock } from "../core/clock.js";
import { createLogger, type Logger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { createRotateScheduler, type RotatePlan } from "../rotate/scheduler.js";
import { loadCommandConfig, loggerForConfig } from "./common-config.js";

export interface RotateFlags {
  config?: string;
  dryRun?: boolean;
  force?: boolean;
}

export async function runRotate(opts: RotateFlags, command: Command): Promise<void> {
  const config = await loadCommandConfig(command, opts.config);
  for (const hint of config.hints ?? []) process.stderr.write(`hint: ${hint}\n`);
  if (Object.keys(config.rotate).length === 0) {
    process.stdout.write(`no rotate jobs in ${config.path ?? "the config"}\n`);
    return;
  }
  const logger = quietLogger(command, config);
  const ownLog = config.log.file ? resolve(config.log.file) : undefined;
  const scheduler = createRotateScheduler(config.rotate, {
    clock: systemClock,
    logger,
    metrics: new Metrics(),
    stateDir: config.state_dir,
    // A job may rotate this command's own log file: keep writing to the new one.
    afterRotate: async (path) => {
      if (ownLog && resolve(path) === ownLog) await logger.reopen?.();
    },
  });
  const dryRun = opts.dryRun ?? false;
  // Ctrl-C or SIGTERM stops between steps (a partial .gz is removed, locks released); a later run resumes.
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let plans: RotatePlan[];
  try {
    plans = await scheduler.runOnce({ dryRun, force: opts.force ?? false }, interrupt.signal);
    await scheduler.stop();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.stdout.write(formatPlans(plans, dryRun));
  if (interrupt.signal.aborted) process.stdout.write("interrupted: run logward rotate again to finish\n");
  process.exitCode = interrupt.signal.aborted ? 130 : plans.some((p) => p.error !== undefined) ? 1 : 0;
}

/**
 * The printed plan is the record of a one-off run: the step logs (info) show only when --log-level
 * asks for them; warnings and errors always do.
 */
function quietLogger(command: Command, config: Config): Logger {
  let root = command;
  while (root.parent) root = root.parent;
  // With log.file (the old script's logging.log_file) the steps go there as the daemon's do: the file is the record.
  if (root.getOptionValueSource("logLevel") === "cli" || config.log.file) return loggerForConfig(command, config);
  const format = (root.opts<{ logFormat?: string }>().logFormat ?? config.log.format) as "json" | "pretty" | undefined;
  const level =
    config.log.level === "error" || config.log.level === "fatal" || config.log.level === "silent"
      ? config.log.level
      : "warn";
  return createLogger({ level, ...(format ? { format } : {}), ...(config.log.file ? { file: config.log.file } : {}) });
}

/** What each file's pass did (or would do), one line per step with its reason. */
export function formatPlans(plans: readonly RotatePlan[], dryRun: boolean): string {
  const out: string[] = [];
  if (dryRun) out.push("dry run: nothing is changed");
  for (const plan of plans) {
    const verdict = plan.rotate ? (dryRun ? "would rotate" : "rotated") : "not rotated";
    out.push(`${plan.job}: ${plan.file}: ${verdict} (${plan.reason})`);
    for (const action of plan.actions) {
      const verb = dryRun ? `would ${action.kind}` : action.kind;
      const target = action.to ? ` -> ${action.to}` : "";
      out.push(`  ${verb.padEnd(dryRun ? 15 : 9)} ${action.path}${target}  (${action.reason})`);
    }
    if (plan.error) out.push(`  error: ${plan.error}`);
  }
  return out.join("\n") + "\n";
}
