// The daemon's optional parts beside the pipeline: the web server with its hub, and rotate jobs.
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Metrics } from "../core/metrics.js";
import type { Config } from "../config/types.js";
import { createWebHub, type WebHub } from "../web/hub.js";
import { startWebServer } from "../web/server.js";
import { createRotateScheduler } from "../rotate/scheduler.js";

export interface Extras {
  hub?: WebHub;
  webUrl?: string;
  stop(): Promise<void>;
}

export async function startExtras(config: Config, deps: { logger: Logger; metrics: Metrics; clock: Clock; once: boolean }): Promise<Extras> {
  const stops: (() => Promise<void>)[] = [];
  const extras: Extras = { stop: async () => void (await Promise.all(stops.map((s) => s()))) };
  if (config.web && !deps.once) {
    const hub = createWebHub({ clock: deps.clock });
    const server = await startWebServer(config.web, { hub, metrics: deps.metrics, logger: deps.logger.child({ component: "web" }) });
    deps.logger.info({ url: server.url }, "web UI listening");
    extras.hub = hub;
    extras.webUrl = server.url;
    stops.push(() => server.close());
  }
  if (Object.keys(config.rotate).length > 0 && !deps.once) {
    const scheduler = createRotateScheduler(config.rotate, {
      clock: deps.clock,
      logger: deps.logger.child({ component: "rotate" }),
      metrics: deps.metrics,
      stateDir: config.state_dir,
    });
    await scheduler.start();
    stops.push(() => scheduler.stop());
  }
  return extras;
}
