// The logger interface components use, backed by pino in the daemon and silenceable in tests.
import pino from "pino";

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface LoggerOptions {
  level?: LogLevel;
  format?: "json" | "pretty";
  /** Append to this file instead of stderr. */
  file?: string;
}

/** A pino logger: JSON lines, or a compact human format when pretty (the default on a TTY). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.format ? options.format === "pretty" : !options.file && process.stderr.isTTY === true;
  const destination = options.file ? pino.destination({ dest: options.file, append: true, mkdir: true, sync: false }) : pino.destination(2);
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      timestamp: pretty ? false : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: pretty ? { streamWrite: prettyLine } : {},
    },
    destination,
  ) as unknown as Logger;
}

/** Turn one JSON log line into "HH:MM:SS LEVEL msg key=value ..." for terminals. */
function prettyLine(json: string): string {
  try {
    const { level, msg, time: _time, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const clock = new Date().toTimeString().slice(0, 8);
    const extras = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    return `${clock} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? "")}${extras.length ? "  " + extras.join(" ") : ""}\n`;
  } catch {
    return json;
  }
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
