// The drop-in `logs2eca`: the old tool's flags, LOGS2ECA_* variables and pattern rule, mapped onto `watch`.
import { Option, type Command } from "commander";
import { UserError } from "../core/errors.js";
import { compileRegex } from "../core/pattern.js";
import { translatePythonRegex } from "../core/python-regex.js";
import { runWatch } from "./watch.js";

/** The old tool had no time limit on its command (subprocess.call); a day stands in for none. */
const COMMAND_TIMEOUT_S = 24 * 3600;

/**
 * The old tool's rule, kept exactly: a pattern that starts AND ends with the same one of / | % is a Python `re`
 * regex between them; anything else is a literal (so `/home/sim` is the text /home/sim, and `/re/i` a literal too).
 * Returned in logward's syntax: `/js-source/flags`.
 */
export function logs2ecaPattern(text: string): string {
  const delimiter = text[0];
  if (text.length >= 2 && (delimiter === "/" || delimiter === "|" || delimiter === "%") && text.endsWith(delimiter)) {
    const body = text.slice(1, -1);
    compileRegex(text, body, "", "python"); // refuses what JavaScript cannot express, naming the pattern as typed
    const js = translatePythonRegex(body, "", "python");
    return `/${js.source || "(?:)"}/${js.flags}`;
  }
  return `/${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/`;
}

interface Logs2ecaFlags {
  logfile?: string;
  logFile?: string;
  pattern?: string;
  command?: string;
  wait?: string;
}

/** logs2eca's flags and LOGS2ECA_* variables, mapped onto watch (default wait 3 s, only new lines). */
export function registerLogs2eca(program: Command): void {
  program
    .command("logs2eca", { hidden: true })
    .description("drop-in for logs2eca: -l FILE -p PATTERN -c CMD [-w SECONDS]")
    .option("-l, --logfile <file>", "log file to watch (LOGS2ECA_LOG_FILE)")
    .addOption(new Option("--log-file <file>").hideHelp())
    .option("-p, --pattern <pattern>", "event pattern (LOGS2ECA_EVENT_PATTERN)")
    .option("-c, --command <command>", "command to run (LOGS2ECA_COMMAND)")
    .option("-w, --wait <seconds>", "seconds to wait after the command ends (LOGS2ECA_WAIT, default 3)")
    .action((opts: Logs2ecaFlags, command: Command) => {
      const env = process.env;
      const file = opts.logfile ?? opts.logFile ?? env.LOGS2ECA_LOG_FILE;
      const pattern = opts.pattern ?? env.LOGS2ECA_EVENT_PATTERN;
      const exec = opts.command ?? env.LOGS2ECA_COMMAND;
      const wait = opts.wait ?? env.LOGS2ECA_WAIT ?? "3";
      const missing = [
        !file && "-l/LOGS2ECA_LOG_FILE",
        !pattern && "-p/LOGS2ECA_EVENT_PATTERN",
        !exec && "-c/LOGS2ECA_COMMAND",
      ].filter(Boolean);
      if (missing.length > 0) throw new UserError("USAGE", `logs2eca: missing ${missing.join(", ")}`);
      const match = [logs2ecaPattern(pattern as string)];
      return runWatch(
        command,
        [file as string],
        { match, exec: exec as string, wait },
        {
          output: "inherit",
          timeout: COMMAND_TIMEOUT_S,
        },
      );
    });
}
