// The stats job config of the stats command's flags without loading zod: what statsJobSchema gives when every flag is
// plainly valid.
import { parseDuration } from "../core/units.js";
import { ACCESS_FORMATS, type AccessFormatName } from "../parsers/formats.js";
import type { StatsJobConfig } from "./schema.js";

/** Defaults of statsJobSchema that no flag sets. */
export const DEFAULT_TOP_CAPACITY = 1000;
export const DEFAULT_HISTORY = 360;

/** The schema input the stats command builds from its flags. */
export interface StatsFlagInput {
  source: string;
  format: string;
  /** With format custom: the nginx log_format or Apache LogFormat (checked by the caller). */
  accessFormat?: string;
  interval: string;
  window: string;
  top: number;
  lateness: string;
  alert: { above: number; over: string };
}

/**
 * statsJobSchema.parse(input) when it would succeed, undefined when any value is not plainly valid
 * (the caller then runs the schema, which says why). The stats command's start-up then does not
 * load zod (about 14 MB and 60 ms), which only a mistake needs.
 */
export function quickStatsConfig(input: StatsFlagInput): StatsJobConfig | undefined {
  if (input.source === "" || !isFormatName(input.format)) return undefined;
  const interval = duration(input.interval);
  const window = duration(input.window);
  const over = duration(input.alert.over);
  const lateness = duration(input.lateness);
  if (interval === undefined || window === undefined || over === undefined || lateness === undefined) return undefined;
  if (!(interval >= 1000 && window >= 1000 && over >= 1000)) return undefined;
  if (
    !Number.isSafeInteger(input.top) ||
    input.top <= 0 ||
    !(input.alert.above > 0) ||
    !Number.isFinite(input.alert.above)
  )
    return undefined;
  return {
    source: input.source,
    format:
      input.format === "custom" && input.accessFormat !== undefined
        ? { type: "custom", access_format: input.accessFormat }
        : { type: input.format },
    interval,
    top: input.top,
    window,
    alert: { above: input.alert.above, over },
    lateness,
    top_capacity: DEFAULT_TOP_CAPACITY,
    history: DEFAULT_HISTORY,
  };
}

function isFormatName(name: string): name is AccessFormatName {
  return (ACCESS_FORMATS as readonly string[]).includes(name);
}

function duration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}
