// Loading a config for a command: path resolution, --state-dir override, and the logger it asks for.
import type { Command } from "commander";
import { loadConfig, resolveConfigPath } from "../config/load.js";
import type { Config } from "../config/types.js";
import { createLogger, type Logger } from "../core/logger.js";
import { globalOptions } from "./common.js";

export { formatConfig } from "../config/load.js";

/** Load the config named by -c / LOGWARD_CONFIG / the defaults, with the global flags applied over it. */
export async function loadCommandConfig(command: Command, flag: string | undefined): Promise<Config> {
  const config = await loadConfig(resolveConfigPath(flag));
  return applyGlobalFlags(command, config);
}

export function applyGlobalFlags(command: Command, config: Config): Config {
  const g = globalOptions(command);
  return { ...config, ...(g.stateDir ? { state_dir: g.stateDir } : {}) };
}

/** The logger for a config: --log-level/--log-format win over the config's log section. */
export function loggerForConfig(command: Command, config: Config): Logger {
  const root = rootOf(command).opts<{ logLevel?: string; logFormat?: string }>();
  const format = (root.logFormat ?? config.log.format) as "json" | "pretty" | undefined;
  return createLogger({
    level: (root.logLevel ?? config.log.level) as Config["log"]["level"],
    ...(format ? { format } : {}),
    ...(config.log.file ? { file: config.log.file } : {}),
  });
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
