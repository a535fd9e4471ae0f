// `logward watch` and the drop-in `logs2eca`: pattern → command on the run pipeline, built from flags.
// The config loader and the daemon are imported when the command runs, not when it is declared.
import type { Command } from "commander";
import { UserError } from "../core/errors.js";
import { durationFlag } from "./flags.js";

export interface WatchOptions {
  match: string[];
  exec?: string;
  wait?: string;
  fromStart?: boolean;
  newest?: boolean;
  recursive?: boolean;
  once?: boolean;
  /** Print matches as JSON lines (the default when stdout is not a terminal). */
  json?: boolean;
}

/** What logs2eca adds to the exec action: the old tool's output and timeout. */
export interface ExecExtras {
  output?: "inherit";
  timeout?: number;
}

/**
 * The config `watch` runs: one file source, one rule with the patterns, exec (or console) action. With a command, the
 * wait counts from the end of each run (the old logs2eca slept after its command returned); without, it is the rule's
 * cooldown between printed matches.
 */
export function watchConfig(
  paths: string[],
  opts: WatchOptions,
  stateDir: string | undefined,
  extras: ExecExtras = {},
): unknown {
  if (paths.length === 0) throw new UserError("USAGE", "watch needs at least one PATH");
  if (opts.match.length === 0) throw new UserError("USAGE", "watch needs at least one -m PATTERN");
  const wait = opts.wait === undefined ? 0 : durationFlag("-w/--wait", opts.wait) / 1000;
  const json = opts.json ?? process.stdout.isTTY !== true;
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
    rules: { watch: { source: "watch", match: opts.match, cooldown: opts.exec ? 0 : wait, actions: ["run"] } },
    actions: {
      run: opts.exec
        ? { type: "exec", command: opts.exec, wait, ...extras }
        : { type: "console", format: json ? "json" : "text" },
    },
  };
}

export async function runWatch(
  command: Command,
  paths: string[],
  opts: WatchOptions,
  extras: ExecExtras = {},
): Promise<void> {
  const { validateConfig, runDaemon, globalOptions, loggerForConfig } = await import("./daemon-deps.js");
  const stateDir = globalOptions(command).stateDir;
  const config = validateConfig(watchConfig(paths, opts, stateDir, extras), { origin: "watch flags" });
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
    .option("-w, --wait <seconds>", "after each run ends, ignore matches this long (seconds or a duration)")
    .option("--from-start", "read the files from their beginning")
    .option("--newest", "follow only the newest matching file")
    .option("--recursive", "descend into directories")
    .option("--once", "process what the files hold now and exit")
    .option("--json", "print matches as JSON lines (the default when stdout is not a terminal)")
    .action((paths: string[], opts: WatchOptions, command: Command) => runWatch(command, paths, opts));
}
