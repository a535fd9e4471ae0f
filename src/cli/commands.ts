// The command registry: each module adds its command(s) to the program; implementations load when they run.
import type { Command } from "commander";
import { registerCheck, registerRun } from "./run.js";
import { registerWatch } from "./watch.js";
import { registerLogs2eca } from "./logs2eca.js";
import { registerDemo } from "./demo.js";
import { registerForward } from "./forward.js";
import { registerRotate } from "./rotate.js";
import { registerService } from "./service.js";
import { registerView } from "./view.js";
import { registerStats } from "./stats.js";
import { registerCompletion } from "./completion.js";
import { registerSearch } from "./search.js";

export type RegisterCommand = (program: Command) => void;

/**
 * In help order. These modules are cheap to import: they declare flags and import their
 * implementation (config loader, daemon, web server, stats job...) inside the action.
 */
export const commandModules: RegisterCommand[] = [
  registerRun,
  registerCheck,
  registerWatch,
  registerForward,
  registerDemo,
  registerLogs2eca,
  registerRotate,
  registerService,
  registerView,
  registerStats,
  registerSearch,
  registerCompletion,
];
