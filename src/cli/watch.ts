// `logward watch` and the drop-in `logs2eca`: pattern → command on the run pipeline, built from flags.
// The config loader and the daemon are imported when the command runs, not when it is declared.
import type { Command } from "commander";
import { UserError } from "../core/errors.js";
import { parseDuration } from "../core/units.js";

export interface WatchOptions {
  match: string[];
  exec?: string;
  wait?: string;
  fromStart?: boolean;
  newest?: boolean;
  recursive?: boolean;
  once?: boolean;
}

/** The config `watch` runs: one file source, one rule with the patterns, exec (or console) action. */
export function watchConfig(paths: string[], opts: WatchOptions, stateDir: string | undefined): unknown {
  if (paths.length === 0) throw new UserError("USAGE", "watch needs at least one PATH");
  if (opts.match.length === 0) throw new UserError("USAGE", "watch needs at least one -m PATTERN");
  const cooldown =
    opts.wait === undefined ? 0 : parseDuration(/^\d+(\.\d+)?$/.test(opts.wait) ? Number(opts.wait) : opts.wait) / 1000;
  return {
    ...(stateDir ? { state_dir: stateDir } : {}),
    sources: {
      watch: {
        path: paths.length === 1 ? paths[0] : paths,
        start_at: opts.fromStart ? "beginning" : "end",
        ...(opts.newest ? { follow: "newest" } : {}),
        ...(opts.recursive ? { recursive: true } : {}),
      },
    },
    rules: { watch: { source: "watch", match: opts.match, cooldown, actions: ["run"] } },
    actions: { run: opts.exec ? { type: "exec", command: opts.exec } : { type: "console" } },
  };
}

async function runWatch(command: Command, paths: string[], opts: WatchOptions): Promise<void> {
  const { validateConfig, runDaemon, globalOptions, loggerForConfig } = await import("./daemon-deps.js");
  const stateDir = globalOptions(command).stateDir;
  const config = validateConfig(watchConfig(paths, opts, stateDir), { origin: "watch flags" });
  const logger = loggerForConfig(command, config);
  process.exitCode = await runDaemon(config, { logger, once: opts.once ?? false, memoryCheckpoints: !stateDir });
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerWatch(program: Command): void {
  program
    .command("watch")
    .description("run a command when lines match a pattern")
    .argument("<path...>", "files, directories or globs")
    .option("-m, --match <pattern>", "literal, /re/flags, |re| or %re% (repeatable)", collect, [])
    .option(
      "-x, --exec <command>",
      "command run by /bin/sh -c (log text arrives in LOGWARD_* variables and stdin); default: print matches",
    )
    .option("-w, --wait <seconds>", "cooldown after a run (seconds or a duration)")
    .option("--from-start", "read the files from their beginning")
    .option("--newest", "follow only the newest matching file")
    .option("--recursive", "descend into directories")
    .option("--once", "process what the files hold now and exit")
    .action((paths: string[], opts: WatchOptions, command: Command) => runWatch(command, paths, opts));
}

/** logs2eca's flags and LOGS2ECA_* variables, mapped onto watch (default wait 3 s, only new lines). */
export function registerLogs2eca(program: Command): void {
  program
    .command("logs2eca", { hidden: true })
    .description("drop-in for logs2eca: -l FILE -p PATTERN -c CMD [-w SECONDS]")
    .option("-l, --log-file <file>", "log file to watch (LOGS2ECA_LOG_FILE)")
    .option("-p, --pattern <pattern>", "event pattern (LOGS2ECA_EVENT_PATTERN)")
    .option("-c, --command <command>", "command to run (LOGS2ECA_COMMAND)")
    .option("-w, --wait <seconds>", "seconds to wait after a run (LOGS2ECA_WAIT, default 3)")
    .action((opts: { logFile?: string; pattern?: string; command?: string; wait?: string }, command: Command) => {
      const env = process.env;
      const file = opts.logFile ?? env.LOGS2ECA_LOG_FILE;
      const pattern = opts.pattern ?? env.LOGS2ECA_EVENT_PATTERN;
      const exec = opts.command ?? env.LOGS2ECA_COMMAND;
      const wait = opts.wait ?? env.LOGS2ECA_WAIT ?? "3";
      const missing = [
        !file && "-l/LOGS2ECA_LOG_FILE",
        !pattern && "-p/LOGS2ECA_EVENT_PATTERN",
        !exec && "-c/LOGS2ECA_COMMAND",
      ].filter(Boolean);
      if (missing.length > 0) throw new UserError("USAGE", `logs2eca: missing ${missing.join(", ")}`);
      return runWatch(command, [file as string], { match: [pattern as string], exec: exec as string, wait });
    });
}
