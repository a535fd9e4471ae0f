// Test helpers for the rules engine: records and rule configs with defaults.
import type { LogRecord } from "../../core/record.js";
import { ruleSchema, type RuleConfig } from "../schema.js";

export const T0 = Date.UTC(2026, 10, 21, 4, 15, 0);

let offset = 0;

/** A record of source `app` (unless given) at T0 + `at` ms. */
export function rec(line: string, at = 0, source = "app", fields: LogRecord["fields"] = {}): LogRecord {
  const record: LogRecord = { source, file: `/var/log/${source}.log`, offset, line, time: T0 + at, fields };
  offset += Buffer.byteLength(line) + 1;
  return record;
}

/** A rule config parsed through the real schema, so defaults and transforms apply. */
export function rule(input: Record<string, unknown>): RuleConfig {
  return ruleSchema.parse({ source: "app", actions: ["act"], ...input });
}
