// A run's stdout and stderr relayed to logward's log line by line, within a byte budget per run.
import type { Readable } from "node:stream";
import type { Logger } from "../../core/logger.js";

/** Bytes of a run's output (both streams together) written to the log; the rest is read, counted and dropped. */
export const MAX_LOGGED_OUTPUT = 64 * 1024;
/** Most output lines of a run written to the log (each log line costs far more than a short output line). */
export const MAX_LOGGED_LINES = 1000;
/** Longest output line written to the log; the rest of it is cut. */
export const MAX_LOGGED_LINE = 8192;

/**
 * Splits output into lines without ever holding more than one cut line per stream (a 20 MB line without a
 * newline costs MAX_LOGGED_LINE, not 20 MB), logs them until the run's budget is spent, and says at the end
 * how many bytes were not logged.
 */
export class OutputLog {
  private budget = MAX_LOGGED_OUTPUT;
  private lines = MAX_LOGGED_LINES;
  private dropped = 0;
  private open = 0;

  constructor(private readonly logger: Logger) {}

  /** Relay one stream: stdout at info, stderr at warn. */
  follow(stream: Readable, name: "stdout" | "stderr"): void {
    this.open++;
    let line = "";
    let cut = 0;
    const emit = (): void => {
      if (line.endsWith("\r")) line = line.slice(0, -1);
      const text = cut > 0 ? `${line}… (cut ${cut} bytes)` : line;
      const bytes = Buffer.byteLength(line) + 1;
      this.dropped += cut;
      line = "";
      cut = 0;
      if (bytes > this.budget || this.lines === 0) {
        this.dropped += bytes;
        return;
      }
      this.budget -= bytes;
      this.lines--;
      if (name === "stdout") this.logger.info({ stream: name }, text);
      else this.logger.warn({ stream: name }, text);
    };
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      for (let start = 0; start < chunk.length;) {
        const newline = chunk.indexOf("\n", start);
        const end = newline === -1 ? chunk.length : newline;
        const room = MAX_LOGGED_LINE - line.length;
        if (room > 0) line += chunk.slice(start, Math.min(end, start + room));
        if (end - start > room) cut += Buffer.byteLength(chunk.slice(start + Math.max(room, 0), end));
        if (newline === -1) break;
        emit();
        start = newline + 1;
      }
    });
    stream.on("end", () => {
      if (line !== "" || cut > 0) emit();
      if (--this.open === 0) this.summarise();
    });
    stream.on("error", () => {}); // the run's result says what went wrong
  }

  private summarise(): void {
    if (this.dropped === 0) return;
    this.logger.warn(
      { dropped_bytes: this.dropped, max_bytes: MAX_LOGGED_OUTPUT, max_lines: MAX_LOGGED_LINES },
      `command output past ${MAX_LOGGED_OUTPUT} bytes or ${MAX_LOGGED_LINES} lines: ${this.dropped} bytes not logged`,
    );
  }
}
