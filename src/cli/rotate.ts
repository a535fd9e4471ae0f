// `logward rotate [-c FILE] [--dry-run] [--force]`: one pass of every rotate job, then exit.
import type { Command } from "commander";
import type { RotateFlags } from "./rotate-run.js";

export function registerRotate(program: Command): void {
  program
    .command("rotate")
    .description("one pass of every rotate job, then exit")
    .option("-c, --config <file>", "config file")
    .option("--dry-run", "print what would be moved, compressed and deleted, and why; change nothing")
    .option("--force", "rotate every non-empty file now, whatever its size and age")
    // The pass (config loader, scheduler, logger) is imported only when the command runs.
    .action(async (opts: RotateFlags, command: Command) => (await import("./rotate-run.js")).runRotate(opts, command));
}
