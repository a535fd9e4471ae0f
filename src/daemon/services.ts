// The daemon's services beside the pipeline: the web server (its hub a tap on the pipeline) and rotate jobs.
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { Config } from "../config/types.js";
import type { Tap } from "../core/component.js";
import type { RotateContext, RotateScheduler } from "../rotate/scheduler.js";

/** How the daemon takes part in a rotation: tailers finish a file, its own log reopens. */
export type RotateHooks = Pick<RotateContext, "beforeRelease" | "afterRotate">;

/** The parts of a running daemon beside the pipeline, started before it and stopped after it. */
export interface Services {
  /** What watches the pipeline from beside it: the web view's hub when the web server runs. */
  taps: Tap[];
  webUrl?: string;
  /**
   * Start the rotate jobs (after the pipeline, so tailers can finish a file before it is released). When `stopping`
   * aborts during the start-up pass, the jobs stop: the pass in progress ends cleanly and no timer is left.
   */
  startRotation(hooks: RotateHooks, stopping?: AbortSignal): Promise<void>;
  /** SIGHUP: replace the rotate jobs when their config changed. */
  reload(next: Config): Promise<void>;
  stop(): Promise<void>;
}

export interface ServicesDeps {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  once: boolean;
}

export async function startServices(config: Config, deps: ServicesDeps): Promise<Services> {
  const stops: (() => Promise<void>)[] = [];
  let rotation: RotateScheduler | undefined;
  let hooks: RotateHooks = {};
  let sources = config.sources; // as the last reload left them, for the web search
  const services: Services = {
    taps: [],
    startRotation: async (given, stopping) => {
      hooks = given;
      rotation = await startRotation(config, deps, hooks, stopping);
    },
    reload: async (next) => {
      sources = next.sources;
      if (JSON.stringify(next.rotate) === JSON.stringify(config.rotate) && next.state_dir === config.state_dir) return;
      await rotation?.stop();
      config = next;
      rotation = await startRotation(next, deps, hooks);
    },
    stop: async () => {
      await rotation?.stop();
      await Promise.all(stops.map((s) => s()));
    },
  };
  if (config.web && !deps.once) {
    // Loaded only when the web server is configured: fastify is the heaviest import of the CLI.
    const [{ createWebHub }, { startWebServer }, { hubTap }, { openWebHistory }] = await Promise.all([
      import("../web/hub.js"),
      import("../web/server.js"),
      import("../web/tap.js"),
      import("../web/history.js"),
    ]);
    const { history, history_bytes } = config.web;
    const hub = createWebHub({ clock: deps.clock, historyLines: history, historyBytes: history_bytes });
    if (config.web.keep_history) {
      const kept = await openWebHistory({
        dir: config.state_dir,
        hub,
        clock: deps.clock,
        logger: deps.logger.child({ component: "web" }),
        maxAgeMs: config.web.history_age,
      });
      stops.push(() => kept.close());
    }
    const server = await startWebServer(config.web, {
      hub,
      metrics: deps.metrics,
      logger: deps.logger.child({ component: "web" }),
      sourceConfig: (name) => sources[name],
    });
    // A token made at start is known to nobody else: the address to open carries it (as Jupyter prints it).
    const open = server.openUrl !== server.url ? { open: server.openUrl } : {};
    deps.logger.info({ url: server.url, auth: server.tokenOrigin, ...open }, "web UI listening");
    services.taps.push(hubTap(hub));
    services.webUrl = server.openUrl;
    stops.push(() => server.close());
  }
  return services;
}

async function startRotation(
  config: Config,
  deps: ServicesDeps,
  hooks: RotateHooks,
  stopping?: AbortSignal,
): Promise<RotateScheduler | undefined> {
  if (Object.keys(config.rotate).length === 0 || deps.once || stopping?.aborted) return undefined;
  // Loaded only when a rotate job runs: the rotation code and zlib, which a daemon without one never needs.
  const { createRotateScheduler } = await import("../rotate/scheduler.js");
  if (stopping?.aborted) return undefined;
  const scheduler = createRotateScheduler(config.rotate, {
    clock: deps.clock,
    logger: deps.logger.child({ component: "rotate" }),
    metrics: deps.metrics,
    stateDir: config.state_dir,
    ...hooks,
  });
  const stop = () => void scheduler.stop();
  stopping?.addEventListener("abort", stop, { once: true });
  try {
    await scheduler.start(stopping);
  } finally {
    stopping?.removeEventListener("abort", stop);
  }
  return scheduler;
}
