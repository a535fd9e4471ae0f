// Helpers shared by commands: global options, loggers, and turning errors into exit codes.
import type { Command } from "commander";
import { describeError, isUserError } from "../core/errors.js";
import { createLogger, type LogLevel, type Logger } from "../core/logger.js";

export interface GlobalOptions {
  logLevel: LogLevel;
  logFormat?: "json" | "pretty";
  stateDir?: string;
}

/** The global flags, read from the root program whatever subcommand runs. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  const opts = root.opts<{ logLevel?: string; logFormat?: string; stateDir?: string }>();
  return {
    logLevel: (opts.logLevel ?? "info") as LogLevel,
    logFormat: opts.logFormat === "json" || opts.logFormat === "pretty" ? opts.logFormat : undefined,
    stateDir: opts.stateDir,
  };
}

export function loggerFor(command: Command, file?: string): Logger {
  const g = globalOptions(command);
  return createLogger({
    level: g.logLevel,
    ...(g.logFormat ? { format: g.logFormat } : {}),
    ...(file ? { file } : {}),
  });
}

/**
 * Print an error that ended a command and return its exit code: a user's mistake is a message and
 * exit 2, anything else is a runtime failure (exit 1) with its stack for the bug report.
 */
export function reportFatal(err: unknown): number {
  if (isUserError(err)) {
    process.stderr.write(`logward: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`logward: ${describeError(err)}\n`);
  if (err instanceof Error && err.stack && process.env.LOGWARD_DEBUG) process.stderr.write(`${err.stack}\n`);
  return 1;
}
