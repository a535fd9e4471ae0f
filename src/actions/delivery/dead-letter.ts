// Dead letters: events an action gave up on, appended as NDJSON so nothing is silently lost.
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { LogEvent } from "../../core/event.js";
import { isResourceExhausted } from "../../core/exhaustion.js";
import { isoTime } from "./format.js";

/** Writes tried while the system is out of descriptors. */
const EXHAUSTED_ATTEMPTS = 10;

export interface DeadLetter {
  /** When it was given up (ISO 8601). */
  time: string;
  action: string;
  reason: string;
  event: ReturnType<typeof eventToRecord>;
}

/** Default file: <stateDir>/dead-letter/<action>.ndjson. */
export function defaultDeadLetterPath(stateDir: string, action: string): string {
  return join(stateDir, "dead-letter", `${action.replace(/[^\w.-]/g, "_")}.ndjson`);
}

/** Appends dead letters in order; one write at a time so lines never interleave. */
export class DeadLetterFile {
  private chain: Promise<void> = Promise.resolve();
  private madeDir = false;

  constructor(
    readonly path: string,
    private readonly action: string,
    private readonly now: () => number,
  ) {}

  /** Append one line per event; rejects when the file cannot be written. */
  write(events: LogEvent[], reason: string): Promise<void> {
    const time = new Date(this.now()).toISOString();
    const text = events
      .map(
        (event) =>
          JSON.stringify({ time, action: this.action, reason, event: eventToRecord(event) } satisfies DeadLetter) +
          "\n",
      )
      .join("");
    const write = this.chain.then(() => this.append(text));
    this.chain = write.catch(() => {});
    return write;
  }

  /** Out of descriptors (EMFILE) is usually over soon: try again for about 15 s before the caller's last resort. */
  private async append(text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.madeDir) {
          await mkdir(dirname(this.path), { recursive: true });
          this.madeDir = true;
        }
        await appendFile(this.path, text, { encoding: "utf8", mode: 0o600 });
        return;
      } catch (err) {
        if (!isResourceExhausted(err) || attempt >= EXHAUSTED_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** (attempt - 1))));
      }
    }
  }
}

/** Everything needed to understand or replay an event, as plain JSON. */
export function eventToRecord(event: LogEvent) {
  return {
    kind: event.kind,
    rule: event.rule,
    source: event.source,
    time: isoTime(event.time),
    count: event.count,
    suppressed: event.suppressed,
    ...(event.match !== undefined ? { match: event.match } : {}),
    ...(event.message !== undefined ? { message: event.message } : {}),
    fields: event.fields,
    ...(event.data !== undefined ? { data: event.data } : {}),
    records: event.records.map((r) => ({
      source: r.source,
      ...(r.file !== undefined ? { file: r.file } : {}),
      ...(r.offset !== undefined ? { offset: r.offset } : {}),
      ...(r.host !== undefined ? { host: r.host } : {}),
      time: isoTime(r.time),
      line: r.line,
      fields: r.fields,
    })),
  };
}
