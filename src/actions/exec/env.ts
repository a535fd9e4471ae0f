// The environment contract of exec commands: LOGWARD_* variables describe the event; log text never
// reaches the command string.
import type { LogEvent } from "../../core/event.js";
import type { FieldValue } from "../../core/record.js";
import { isoTime } from "../../core/wire.js";

/** Longest value of one variable, in bytes: Linux refuses any single env string over 128 KiB. */
export const MAX_ENV_VALUE_BYTES = 64 * 1024;

/** Longest variable name: a field name of any length (a JSON key of 200 KiB) must not make the run fail with E2BIG. */
export const MAX_ENV_NAME_BYTES = 256;
/**
 * Most bytes of all LOGWARD_* variables of one run (names, values, `=` and NUL): the kernel's ARG_MAX (usually
 * 2 MiB) covers the command line and the whole environment, logward's own included. Fields past it are left out.
 */
export const MAX_RUN_ENV_BYTES = 512 * 1024;

/** `LOGWARD_FIELD_<NAME>`: upper case, every character outside A-Z 0-9 becomes `_`, cut to MAX_ENV_NAME_BYTES. */
export function fieldVariable(name: string): string {
  const short = name.length > MAX_ENV_NAME_BYTES ? name.slice(0, MAX_ENV_NAME_BYTES) : name;
  return `LOGWARD_FIELD_${short.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`.slice(0, MAX_ENV_NAME_BYTES);
}

/** Totals of a (possibly coalesced) run: matches behind it and matches the cooldown swallowed. */
export interface RunTotals {
  count: number;
  suppressed: number;
}

/** The LOGWARD_* variables for a run, described by its latest event and the totals of all its events. */
export function commandEnv(event: LogEvent, totals: RunTotals): Record<string, string> {
  const last = event.records[event.records.length - 1];
  const env: Record<string, string> = {
    LOGWARD_RULE: event.rule,
    LOGWARD_SOURCE: event.source,
    LOGWARD_KIND: event.kind,
    LOGWARD_FILE: last?.file ?? "",
    LOGWARD_LINE: last?.line ?? event.message ?? "",
    LOGWARD_TIME: isoTime(event.time) ?? "", // empty, as if unset, for a time that is not a valid date
    LOGWARD_MATCH: event.match ?? "",
    LOGWARD_COUNT: String(totals.count),
    LOGWARD_SUPPRESSED: String(totals.suppressed),
  };
  if (event.message !== undefined) env.LOGWARD_MESSAGE = event.message;
  if (event.state !== undefined) env.LOGWARD_STATE = event.state; // an absence: firing, then recovered
  let size = 0;
  for (const [name, value] of Object.entries(env)) size += envBytes(name, (env[name] = envSafe(value)));
  for (const [field, value] of Object.entries(event.fields)) {
    const name = fieldVariable(field);
    const text = envSafe(fieldText(value));
    const bytes = envBytes(name, text);
    if (size + bytes > MAX_RUN_ENV_BYTES) continue; // a smaller field further on may still fit
    env[name] = text;
    size += bytes;
  }
  return env;
}

/** One NAME=value string as the kernel counts it (with its NUL). */
function envBytes(name: string, value: string): number {
  return name.length + 2 + (value.length * 3 > 1024 ? Buffer.byteLength(value) : value.length * 3);
}

/** The text a run gets on stdin for one event: its lines, or its message when it has none. */
export function stdinLines(event: LogEvent): string[] {
  if (event.records.length > 0) return event.records.map((r) => r.line);
  return event.message !== undefined ? [event.message] : [];
}

function fieldText(value: FieldValue): string {
  return value === null ? "" : String(value);
}

/**
 * An environment value the kernel accepts: NUL (which would end the string) becomes U+FFFD and very
 * long values are cut at a character boundary. The full line always reaches stdin unchanged.
 */
export function envSafe(value: string): string {
  let safe = value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value;
  if (safe.length * 3 > MAX_ENV_VALUE_BYTES && Buffer.byteLength(safe) > MAX_ENV_VALUE_BYTES) {
    safe = Buffer.from(safe).subarray(0, MAX_ENV_VALUE_BYTES).toString("utf8");
    if (safe.endsWith("\uFFFD")) safe = safe.slice(0, -1); // a character cut in half
  }
  return safe;
}
