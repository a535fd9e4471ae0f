// The daemon's life: state, pid file, pipeline, web and rotation; signals (HUP reload, TERM/INT drain).
import { makeDirsSync } from "../core/mkdirs.js";
import { realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { systemClock, type Clock } from "../core/clock.js";
import { MemoryCheckpointStore, type CheckpointStore } from "../core/checkpoint.js";
import { describeError, isUserError } from "../core/errors.js";
import { keepAlive } from "../core/lifetime.js";
import type { Logger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { registerBuildInfo } from "../core/metrics-build.js";
import { VERSION } from "../cli/version.js";
import type { Config } from "../config/types.js";
import { FileCheckpointStore } from "../sources/checkpoints.js";
import { loadSourceKinds } from "../sources/index.js";
import { loadActionKinds } from "../actions/index.js";
import { Pipeline } from "./pipeline.js";
import { startupCompiled } from "../core/start-tiering.js";
import { startServices, type Services } from "./services.js";
import { aborted, DaemonSignals } from "./signals.js";
import { notifyReady, takeNotifySocket } from "./notify.js";

export interface RunOptions {
  logger: Logger;
  /** Process what the files hold now, deliver, save checkpoints and exit. */
  once?: boolean;
  /** Keep checkpoints in memory only (watch and logs2eca without --state-dir). */
  memoryCheckpoints?: boolean;
  /** Re-read the config on SIGHUP; without it SIGHUP only reopens files. */
  reload?: () => Promise<Config>;
  clock?: Clock;
  /** How long TERM/INT and --once wait for actions to deliver what is pending (over the config's drain_timeout). */
  drainTimeoutMs?: number;
  /** Resolves when the daemon should stop (tests and the demo); signals do the same. */
  until?: Promise<void>;
  /** Called once the pipeline is running. */
  onStarted?: (pipeline: Pipeline, services: Services) => void;
  /** Signal handling installed earlier (before the config was loaded); by default installed here. */
  signals?: DaemonSignals;
}

/** What a stop waits for the actions when neither the config (drain_timeout) nor the caller says. */
export const DEFAULT_DRAIN_MS = 30_000;

/** Run the pipeline of a config until a signal (or, with once, until caught up); returns the exit code. */
export async function runDaemon(config: Config, options: RunOptions): Promise<number> {
  const signals = options.signals ?? new DaemonSignals();
  void options.until?.then(() => signals.requestStop("until"));
  try {
    return await runWithSignals(config, options, signals);
  } finally {
    if (!options.signals) signals.dispose();
  }
}

async function runWithSignals(config: Config, options: RunOptions, signals: DaemonSignals): Promise<number> {
  const notifySocket = takeNotifySocket();
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new Metrics();
  registerBuildInfo(metrics, VERSION);
  const drainMs = options.drainTimeoutMs ?? config.drain_timeout ?? DEFAULT_DRAIN_MS;
  makeDirsSync(config.state_dir);
  const checkpoints: CheckpointStore = options.memoryCheckpoints
    ? new MemoryCheckpointStore()
    : await FileCheckpointStore.open(config.state_dir, { logger, metrics, clock });
  writePidFile(config.pid_file);
  let services: Services | undefined;
  try {
    if (abortedStart(signals, logger)) return 0;
    services = await startServices(config, { logger, metrics, clock, once: options.once ?? false });
    await loadConfiguredKinds(config);
    const pipeline = new Pipeline(config, {
      clock,
      logger,
      metrics,
      stateDir: config.state_dir,
      checkpoints,
      once: options.once ?? false,
      taps: services.taps,
    });
    startupCompiled(); // the rules are compiled: the matching ahead gets V8's full optimisation
    await pipeline.start();
    await services.startRotation(
      {
        beforeRelease: () => settleWithin(pipeline, 10_000, logger),
        afterRotate: (file) => reopenOwnLog(config, file, logger),
      },
      signals.stopping,
    );
    options.onStarted?.(pipeline, services);
    if (options.once) {
      await Promise.race([pipeline.caughtUp().then(() => pipeline.flushActions(drainMs)), aborted(signals.stopping)]);
    } else {
      if (!signals.stopping.aborted)
        logger.info(
          { sources: Object.keys(config.sources).length, rules: Object.keys(config.rules).length },
          "logward running",
        );
      if (!signals.stopping.aborted) void notifyReady(notifySocket, logger);
      await waitForStop(pipeline, services, signals, { ...options, drainTimeoutMs: drainMs }, logger);
    }
    await pipeline.drain(drainMs, signals.hurry);
    logger.info("logward stopped");
    return 0;
  } catch (err) {
    if (isUserError(err)) throw err;
    logger.error({ err: describeError(err) }, "logward failed");
    return 1;
  } finally {
    await services?.stop();
    await closeCheckpoints(checkpoints);
    if (config.pid_file) rmSync(config.pid_file, { force: true });
  }
}

/** The implementations of the source and action types the config names: the registries load no other. */
export async function loadConfiguredKinds(config: Config): Promise<void> {
  await Promise.all([
    loadSourceKinds(Object.values(config.sources).map((source) => source.type)),
    loadActionKinds(Object.values(config.actions).map((action) => action.type)),
  ]);
}

/** TERM or INT while starting (loading the config, opening checkpoints): stop before starting anything. */
function abortedStart(signals: DaemonSignals, logger: Logger): boolean {
  if (!signals.stopping.aborted) return false;
  logger.info({ signal: signals.stopReason }, "stopped while starting; nothing was started");
  return true;
}

/** Wait for TERM/INT (or options.until); SIGHUP reloads and reopens meanwhile, and a HUP sent while starting now. */
async function waitForStop(
  pipeline: Pipeline,
  services: Services,
  signals: DaemonSignals,
  options: RunOptions,
  logger: Logger,
): Promise<void> {
  // Sources and timers are deliberately unref'd; this keeps a daemon with only rotate jobs (say) alive.
  const letGo = keepAlive();
  const missed = signals.onHup(() => void reloadOnHup(pipeline, services, options, logger));
  if (missed > 0 && !signals.stopping.aborted) {
    logger.info("SIGHUP arrived while starting; applying it now");
    void reloadOnHup(pipeline, services, options, logger);
  }
  await aborted(signals.stopping);
  letGo();
  // No reload in the middle of a drain: the files are being closed and their checkpoints saved.
  signals.onHup(() => logger.info("SIGHUP ignored: stopping"));
  // Said with its deadline: an operator whose destination is down sees why the stop takes that long, and how to end it.
  logger.info(
    { signal: signals.stopReason, drain_timeout_s: (options.drainTimeoutMs ?? DEFAULT_DRAIN_MS) / 1000 },
    "draining and stopping (a second TERM or INT stops now; the undelivered rest is sent after the next start)",
  );
  signals.hurry.addEventListener("abort", () => logger.warn("second stop signal: saving what was delivered now"), {
    once: true,
  });
}

async function reloadOnHup(pipeline: Pipeline, services: Services, options: RunOptions, logger: Logger): Promise<void> {
  await logger.reopen?.(); // first, so what follows goes to the log file now at the path (rotated by logrotate, say)
  logger.info("SIGHUP: reopening files" + (options.reload ? " and reloading the configuration" : ""));
  if (options.reload) {
    try {
      const next = await options.reload();
      await loadConfiguredKinds(next);
      await pipeline.reload(next);
      await services.reload(next);
    } catch (err) {
      logger.error({ err: describeError(err) }, "new configuration rejected; keeping the running one");
    }
  }
  pipeline.reopen();
}

/** A rotate job just put a fresh file where logward's own log was: write there from now on. */
async function reopenOwnLog(config: Config, rotated: string, logger: Logger): Promise<void> {
  if (!config.log.file || canonical(config.log.file) !== canonical(rotated)) return;
  await logger.reopen?.();
  logger.debug({ file: rotated }, "log file reopened after its rotation");
}

/** A path made absolute with its folder's links resolved (the file itself may be mid-rotation). */
function canonical(file: string): string {
  const abs = path.resolve(file);
  try {
    return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

/** Let tailers read to the end before a rotation releases a file, but never hold the rotation forever. */
async function settleWithin(pipeline: Pipeline, ms: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  const result = await Promise.race([pipeline.settleSources().then(() => "settled" as const), timeout]);
  clearTimeout(timer);
  if (result === "timeout") logger.warn({ ms }, "tailers still busy when a rotation went ahead");
}

function writePidFile(path: string | undefined): void {
  if (!path) return;
  writeFileSync(path, `${process.pid}\n`);
}

async function closeCheckpoints(store: CheckpointStore): Promise<void> {
  await store.flush();
  if ("close" in store && typeof store.close === "function") await (store.close as () => Promise<void>)();
}
