// `logward run` and `logward check`: the daemon from a config file, or just its validation.
// The actions import the config loader and the daemon themselves, so other commands never load them.
import type { Command } from "commander";
// Small and free of imports: loaded with the command's declaration so its handlers exist from the first moment.
import { DaemonSignals } from "../daemon/signals.js";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description(
      "run the daemon from a config (-c, else LOGWARD_CONFIG, else ./logward.yaml, " +
        "~/.config/logward/logward.yaml, /etc/logward/logward.yaml)",
    )
    .option("-c, --config <file>", "config file")
    .option("--once", "process what the files hold now, deliver every action, save checkpoints and exit")
    .option("--pid-file <file>", "write the daemon's pid here")
    .action(async (opts: { config?: string; once?: boolean; pidFile?: string }, command: Command) => {
      // First of all: a TERM, INT or HUP while the config loads (or the start-up rotation pass runs) must not kill
      // the process with files half-written; the daemon acts on it once it can.
      const signals = new DaemonSignals();
      try {
        const deps = await import("./daemon-deps.js");
        const { loadCommandConfig, loggerForConfig, runDaemon, unsettableGroupFields } = deps;
        const config = await loadCommandConfig(command, opts.config);
        if (opts.pidFile) config.pid_file = opts.pidFile;
        const logger = loggerForConfig(command, config);
        for (const hint of [...(config.hints ?? []), ...unsettableGroupFields(config)]) logger.warn(hint);
        process.exitCode = await runDaemon(config, {
          logger,
          once: opts.once ?? false,
          reload: () => loadCommandConfig(command, opts.config),
          signals,
        });
      } finally {
        signals.dispose();
      }
    });
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("validate a config and print the resolved pipeline; exit 2 on error")
    .option("-c, --config <file>", "config file")
    .action(async (opts: { config?: string }, command: Command) => {
      const { loadCommandConfig, formatConfig } = await import("./common-config.js");
      const config = await loadCommandConfig(command, opts.config);
      for (const hint of config.hints ?? []) process.stderr.write(`hint: ${hint}\n`);
      const { unfilteredRules } = await import("../rules/matcher.js");
      for (const rule of unfilteredRules(config.rules))
        process.stderr.write(`hint: rule ${rule} has no literal prefilter: every line is tested\n`);
      const { unsettableGroupFields } = await import("../rules/group-fields.js");
      for (const hint of unsettableGroupFields(config)) process.stderr.write(`hint: ${hint}\n`);
      process.stdout.write(formatConfig(config) + "\n");
      process.stdout.write(`${config.path ?? "config"}: ok\n`);
    });
}
