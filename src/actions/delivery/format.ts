// Events as text for people: a match's own lines; thresholds, alerts, recoveries and stats as a short summary.
import type { LogEvent } from "../../core/event.js";
import { timeText } from "../../core/wire.js";

/** Most sample lines shown under a summary. */
export const MAX_SAMPLES = 5;

/** The lines a person reads for an event, in order (chat actions send exactly these). */
export function formatEvent(event: LogEvent): string[] {
  if (event.kind === "match") {
    const lines = physicalLines(event);
    return lines.length > 0 ? lines : [event.match ?? event.message ?? formatHeadline(event)];
  }
  const lines = [formatHeadline(event)];
  if (event.kind === "stats" && event.message) lines.push(...splitLines(event.message));
  else if (event.kind === "stats" && event.data) lines.push(JSON.stringify(event.data));
  const samples = event.records.slice(0, MAX_SAMPLES);
  for (const record of samples) lines.push(...splitLines(record.line).map((line) => `  ${line}`));
  const more = event.records.length - samples.length;
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines;
}

/** One line that says what happened: rule, source, count or message, time. */
export function formatHeadline(event: LogEvent): string {
  const at = timeText(event.time);
  const head = `[${event.rule}]`;
  const suppressed = event.suppressed > 0 ? ` (${event.suppressed} suppressed by cooldown)` : "";
  switch (event.kind) {
    case "threshold":
      return (
        `${head} ${event.count} ${event.count === 1 ? "match" : "matches"} ` +
        `on ${event.source} at ${at}${suppressed}`
      );
    case "alert":
    case "recovery":
      return (
        `${head} ${event.kind} on ${event.source} at ${at}: ` + `${event.message ?? `${event.count} hits`}${suppressed}`
      );
    case "absence": {
      const what = event.state === "recovered" ? "recovered" : "silence";
      return `${head} ${what} on ${event.source} at ${at}: ${event.message ?? "no matching line"}`;
    }
    case "stats":
      return `${head} stats for ${event.source} at ${at}`;
    case "match":
      return `${head} match on ${event.source} at ${at}${suppressed}`;
  }
}

/** The log lines behind an event, one entry per physical line (multiline records are split). */
export function physicalLines(event: LogEvent): string[] {
  return event.records.flatMap((record) => splitLines(record.line));
}

function splitLines(text: string): string[] {
  return text.includes("\n") ? text.split(/\r?\n/) : [text];
}
