// The console action: print events to stdout or stderr as text (`time [rule] source: line`) or JSON lines.
import type { Writable } from "node:stream";
import type { Action, ActionContext, ActionKind } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import type { Release } from "../../core/record.js";
import { timeText, wireJson } from "../../core/wire.js";
import { IdleWaiters, within } from "../../core/lifetime.js";

import { consoleSchema, type ConsoleConfig } from "./schema.js";
export { consoleSchema, type ConsoleConfig } from "./schema.js";

export const consoleAction: ActionKind<ConsoleConfig> = {
  type: "console",
  schema: consoleSchema,
  create: (config, context) =>
    new ConsoleAction(config, context, config.stream === "stderr" ? process.stderr : process.stdout),
};

export class ConsoleAction implements Action {
  private pending = 0;
  private readonly idleWaiters = new IdleWaiters();

  constructor(
    private readonly config: ConsoleConfig,
    private readonly context: ActionContext,
    private readonly out: Writable,
  ) {}

  async send(event: LogEvent, release: Release): Promise<void> {
    const text = this.config.format === "json" ? wireJson(event) : eventText(event);
    this.pending++;
    const accepted = this.out.write(text, () => {
      // Released once written, or on a write error (a closed terminal): nothing else can be done with it.
      release();
      if (--this.pending === 0) this.idleWaiters.wake();
    });
    if (!accepted) await new Promise<void>((resolve) => this.out.once("drain", resolve));
  }

  async flush(deadlineMs: number): Promise<void> {
    if (this.pending === 0) return;
    await within(this.context.clock, deadlineMs, this.idleWaiters.next());
  }

  async stop(): Promise<void> {}
}

/** `2026-11-21T04:15:00.000Z [rule] source: line`, one per record, or the message of an event without records. */
export function eventText(event: LogEvent): string {
  const entries =
    event.records.length > 0
      ? event.records.map((r) => ({ time: r.time, line: r.line }))
      : [{ time: event.time, line: event.message ?? "" }];
  const lines = entries.map(
    ({ time, line }) => `${timeText(time)} [${event.rule}] ${event.source}: ${printable(line)}\n`,
  );
  // A threshold firing says so first, so its lines read as one alert rather than separate matches.
  if (event.kind === "threshold")
    lines.unshift(
      `${timeText(event.time)} [${event.rule}] ${event.source}: threshold reached: ${event.count} matches\n`,
    );
  return lines.join("");
}

/**
 * Log text made safe for a terminal: control characters (escape sequences could drive it) are shown as
 * \xNN, and the lines of a multi-line record continue indented.
 */
export function printable(line: string): string {
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]|\n/g, (ch) =>
    ch === "\n" ? "\n    " : `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
