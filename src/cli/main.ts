// CLI entry: global flags, one module per command, and error → exit code mapping.
import { Command, CommanderError, Option } from "commander";
import { boundYoungGeneration } from "../core/young-generation.js";
import { boundOldGeneration } from "../core/old-generation.js";
import { commandModules } from "./commands.js";
import { VERSION } from "./version.js";

/** The program: every command is declared; a command's implementation is imported only when it runs. */
export function buildProgram(): Command {
  const program = new Command("logward")
    .description("Tail logs without losing a line, recognise what matters, and act.")
    .version(VERSION, "-V, --version")
    .addOption(
      new Option("--log-level <level>", "default: info, or log.level").choices([
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "silent",
      ]),
    )
    .addOption(new Option("--log-format <format>", "default: pretty on a terminal").choices(["json", "pretty"]))
    .option("--state-dir <dir>", "folder for checkpoints and other state")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

/** Run the CLI; `name` is the program name it was started as (logward or logs2eca). */
export async function main(argv: string[], name: string): Promise<void> {
  boundYoungGeneration(); // first: a run's start-up is when new space grows
  boundOldGeneration();
  const args = name === "logs2eca" ? ["logs2eca", ...argv] : versionAlias(argv);
  try {
    await buildProgram().parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // Imported here: common.js loads the logger (pino), which `--version` and `--help` do not need.
    const { reportFatal } = await import("./common.js");
    process.exitCode = reportFatal(err);
  }
}

/** `-v` before any command word means --version, as most tools have it (no global flag uses -v). */
function versionAlias(argv: string[]): string[] {
  const args = [...argv];
  for (let i = 0; i < args.length && (args[i]?.startsWith("-") ?? false); i++) {
    if (args[i] === "-v") args[i] = "--version";
    else if (GLOBAL_OPTIONS_WITH_VALUE.includes(args[i] as string)) i++;
  }
  return args;
}

const GLOBAL_OPTIONS_WITH_VALUE = ["--log-level", "--log-format", "--state-dir"];
