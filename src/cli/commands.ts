// The command registry: each module adds its command(s) to the program; heavy modules load only when needed.
import type { Command } from "commander";
import { registerCheck, registerRun } from "./run.js";
import { registerLogs2eca, registerWatch } from "./watch.js";
import { registerDemo } from "./demo.js";
import { registerForward } from "./forward.js";
import { registerRotate } from "./rotate.js";
import { registerService } from "./service.js";
import { registerView } from "./view.js";

export type RegisterCommand = (program: Command) => void;

/**
 * A command whose module imports its whole implementation at the top (stats.ts: the stats job, zod
 * schemas, every source kind): imported only when that command runs or the full command list is shown.
 */
export interface LazyCommand {
  name: string;
  load: () => Promise<RegisterCommand>;
}

/**
 * In help order. These modules are cheap to import: they declare flags and import their
 * implementation (config loader, daemon, web server...) inside the action.
 */
export const commandModules: RegisterCommand[] = [registerRun, registerCheck, registerWatch, registerForward, registerDemo, registerLogs2eca];
commandModules.push(registerRotate, registerService);
commandModules.push(registerView);

/** Listed after the others in help. */
export const lazyCommandModules: LazyCommand[] = [{ name: "stats", load: async () => (await import("./stats.js")).registerStats }];

/** Not a command name: the program prints its version and exits before any command runs. */
const VERSION_ONLY = "--version";

/**
 * Register every command on `program`. A lazy one is imported unless `args` surely run another
 * command (or --version); `help`, no command or a mistyped one list them all, so all are imported.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  for (const register of commandModules) register(program);
  const invoked = invokedCommand(program, args);
  const known = new Set([...program.commands.flatMap((c) => [c.name(), ...c.aliases()]), ...lazyCommandModules.map((c) => c.name)]);
  const runsAnother = invoked === VERSION_ONLY || (invoked !== undefined && known.has(invoked));
  for (const lazy of lazyCommandModules) if (!runsAnother || invoked === lazy.name) (await lazy.load())(program);
}

/**
 * Which command the root program will run for `args`, read the way commander reads them: the first
 * operand after the root's own options; VERSION_ONLY for --version before any operand; undefined when
 * unsure (no operand, an option the root does not declare such as --help, `--`), in which case every
 * command must be registered.
 */
export function invokedCommand(program: Command, args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("-") || arg === "-") return arg;
    if (arg === "--version") return VERSION_ONLY;
    const withValue = arg.startsWith("--") && arg.includes("=");
    const flag = withValue ? arg.slice(0, arg.indexOf("=")) : arg;
    const option = program.options.find((o) => o.long === flag || o.short === flag);
    if (!option) return undefined;
    const next = args[i + 1];
    // A required value is the next argument whatever it looks like; an optional one only if not an option.
    if (!withValue && (option.required || (option.optional && next !== undefined && !next.startsWith("-")))) i++;
  }
  return undefined;
}
