// Dead letters: events an action gave up on, appended as NDJSON so nothing is silently lost.
import { makeDirs } from "../../core/mkdirs.js";
import { appendFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { LogEvent } from "../../core/event.js";
import { isoTime, wireEvent, wireLines, type WireEvent, type WireLine } from "../../core/wire.js";
import { isResourceExhausted } from "../../core/exhaustion.js";

/** Writes tried while the system is out of descriptors. */
const EXHAUSTED_ATTEMPTS = 10;

export interface DeadLetter {
  /** When it was given up (ISO 8601). */
  time: string;
  action: string;
  reason: string;
  event: DeadEvent;
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
    const time = isoTime(this.now()) ?? "-";
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
          await makeDirs(dirname(this.path));
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

/** A dead event: its wire description and its records as wire lines (with the host of records that came with one). */
export interface DeadEvent extends WireEvent {
  records: (WireLine & { host?: string })[];
}

/** Everything needed to understand or replay an event, as plain JSON. */
export function eventToRecord(event: LogEvent): DeadEvent {
  const lines = event.records.length > 0 ? wireLines(event) : [];
  const records = lines.map((line, i) => {
    const host = event.records[i]?.host;
    return host === undefined ? line : { ...line, host };
  });
  return { ...wireEvent(event), records };
}
