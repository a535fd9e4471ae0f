// `logward stats`: declares the command; the implementation (stats job, parsers, sources) loads when it runs.
import type { Command } from "commander";
import type { StatsFlags } from "./stats-run.js";

export function registerStats(program: Command): void {
  program
    .command("stats")
    .description("traffic reports and a high-traffic alert for an HTTP access log (stdin without FILE)")
    .argument("[file]", "access log to follow (or replay with --replay); stdin when absent")
    .option("--format <format>", "auto|w3c-csv|common|combined|json|logfmt|custom", "auto")
    .option(
      "--access-format <format>",
      "the log's nginx log_format ('$remote_addr [$time_local] \"$request\" $status ...') " +
        "or Apache LogFormat ('%h %t \"%r\" %>s %b')",
    )
    .option("--interval <duration>", "report every DURATION of log time", "10s")
    .option("--window <duration>", "sliding window of the alert", "2m")
    .option("--threshold <req_per_s>", "alert when the window's rate goes above this", "10")
    .option("--top <n>", "entries in the top lists", "10")
    .option("--lateness <duration>", "how much out of order (log time) a line may come and still count", "5s")
    .option("--replay", "read the whole input from its start at full speed, on the log's own time, and exit at its end")
    .option("--json", "one JSON object per line")
    .option("--html <file>", "at the end, write a self-contained HTML report: chart, alert periods, top lists")
    .action(async (file: string | undefined, flags: StatsFlags, command: Command) =>
      (await import("./stats-run.js")).runStats(command, file, flags),
    );
}
