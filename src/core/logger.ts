// The logger interface components use, backed by pino in the daemon and silenceable in tests.
import pino from "pino";

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /**
   * Reopen the log file at its path (after it was rotated); resolves once new lines go to the file there.
   * Only loggers writing to a file have it (children share their parent's).
   */
  reopen?(): Promise<void>;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface LoggerOptions {
  level?: LogLevel;
  format?: "json" | "pretty";
  /** Append to this file instead of stderr. */
  file?: string;
}

/** How long reopen() waits for the new file to open before giving up (the old one keeps the lines). */
const REOPEN_WAIT_MS = 5000;

/** A pino logger: JSON lines, or a compact human format when pretty (the default on a TTY). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.format ? options.format === "pretty" : !options.file && process.stderr.isTTY === true;
  const destination = options.file ? fileDestination(options.file) : pino.destination(2);
  const logger = pino(
    {
      level: options.level ?? "info",
      base: undefined,
      timestamp: pretty ? false : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: pretty ? { streamWrite: prettyLine } : {},
    },
    destination,
  ) as unknown as Logger;
  if (options.file) logger.reopen = () => reopenDestination(destination);
  return logger;
}

type Destination = ReturnType<typeof pino.destination>;

/** The log file; a write or reopen error goes to stderr instead of crashing the process (an unhandled 'error'). */
function fileDestination(file: string): Destination {
  const destination = pino.destination({ dest: file, append: true, mkdir: true, sync: false });
  destination.on("error", (err: Error) =>
    process.stderr.write(`logward: cannot write its log file ${file}: ${err.message}\n`),
  );
  return destination;
}

/** SonicBoom reopens after the write under way (which still goes to the old file) and announces it with 'ready'. */
function reopenDestination(destination: Destination): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      destination.off("ready", done);
      destination.off("error", done);
      resolve();
    };
    const timer = setTimeout(done, REOPEN_WAIT_MS);
    timer.unref();
    destination.once("ready", done);
    destination.once("error", done);
    try {
      destination.reopen();
    } catch {
      done(); // destroyed or ending: nothing to reopen
    }
  });
}

/** Turn one JSON log line into "HH:MM:SS LEVEL msg key=value ..." for terminals. */
function prettyLine(json: string): string {
  try {
    const { level, msg, time: _time, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const clock = new Date().toTimeString().slice(0, 8);
    const extras = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    const tail = extras.length ? "  " + extras.join(" ") : "";
    return `${clock} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? "")}${tail}\n`;
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
