// `logward demo`: a self-contained tour: writes a sample log in a temp folder, tails it, fires rules.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The config loader and the daemon are imported when the command runs, not when it is declared.
import type { Command } from "commander";
import { durationFlag } from "./flags.js";

/** The demo's config: an exec rule with a cooldown, a threshold rule, and a console view of both. */
export function demoConfig(dir: string): unknown {
  return {
    state_dir: join(dir, "state"),
    sources: { app: { path: join(dir, "app.log") } },
    rules: {
      "restart-on-oom": {
        source: "app",
        match: "/OutOfMemoryError|Killed process (?<pid>\\d+)/",
        actions: ["restart", "show"],
        cooldown: "3s",
      },
      "auth-storm": {
        source: "app",
        match: "/authentication failure for user=(?<user>\\w+)/",
        threshold: { count: 5, within: "10s" },
        actions: ["show"],
      },
    },
    actions: {
      restart: {
        type: "exec",
        command:
          'echo "demo: would restart myapp now (rule $LOGWARD_RULE: $LOGWARD_MATCH; ' +
          '$LOGWARD_SUPPRESSED more matches swallowed by the cooldown)"',
        timeout: "10s",
      },
      show: { type: "console" },
    },
  };
}

const SCRIPT = [
  "INFO request served path=/ status=200",
  "WARN authentication failure for user=alice from 10.0.0.7",
  "WARN authentication failure for user=alice from 10.0.0.7",
  "INFO request served path=/api status=200",
  "WARN authentication failure for user=alice from 10.0.0.7",
  "WARN authentication failure for user=alice from 10.0.0.7",
  "WARN authentication failure for user=alice from 10.0.0.7",
  "ERROR java.lang.OutOfMemoryError: Java heap space",
  "ERROR Killed process 4242 (java)",
  "INFO request served path=/health status=200",
];

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "self-contained demo: writes a sample log, tails it, fires an exec rule and a threshold rule (Ctrl-C stops)",
    )
    .option("--for <duration>", "stop by itself after this long")
    .action(async (opts: { for?: string }, command: Command) => {
      const forMs = opts.for === undefined ? undefined : durationFlag("--for", opts.for);
      const { validateConfig, runDaemon, loggerForConfig } = await import("./daemon-deps.js");
      const dir = mkdtempSync(join(tmpdir(), "logward-demo-"));
      const logFile = join(dir, "app.log");
      writeFileSync(logFile, "INFO an old line, written before logward started: ignored\n");
      const config = validateConfig(demoConfig(dir), { origin: "demo" });
      const logger = loggerForConfig(command, config);
      process.stdout.write(
        `demo: writing ${logFile}; rules: restart-on-oom (exec, 3 s cooldown), auth-storm (5 in 10 s). Ctrl-C stops.\n`,
      );
      let step = 0;
      const writer = setInterval(
        () => appendFileSync(logFile, `${new Date().toISOString()} ${SCRIPT[step++ % SCRIPT.length]}\n`),
        400,
      );
      const until = forMs !== undefined ? new Promise<void>((resolve) => setTimeout(resolve, forMs)) : undefined;
      try {
        process.exitCode = await runDaemon(config, { logger, ...(until ? { until } : {}), drainTimeoutMs: 5000 });
      } finally {
        clearInterval(writer);
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
