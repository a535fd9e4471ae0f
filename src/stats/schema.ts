// Config schema of one traffic-stats job (owned by the stats module; extended there).
import * as z from "zod";
import { zDuration, zNameList } from "../core/schema.js";
import { accessFormatName, fieldNameOptions, zAccessFormat } from "../parsers/schema.js";
import { DEFAULT_HISTORY, DEFAULT_TOP_CAPACITY } from "./flag-config.js";

const atLeastOneSecond = (what: string) =>
  [(ms: number) => ms >= 1000, { message: `${what} must be at least 1s` }] as const;

/**
 * A format name, an object with `type` and the json/logfmt field-name options (`time_field`, `path_field`...), or
 * `{ type: custom, access_format: ... }` (an nginx log_format or Apache LogFormat).
 */
export const statsFormatSchema = z
  .union([
    accessFormatName.transform((type) => ({ type })),
    // Told apart by `type`, so a mistake in a custom format is reported at access_format.
    z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("custom"), access_format: zAccessFormat }),
      fieldNameOptions.extend({ type: accessFormatName.exclude(["custom"]) }),
    ]),
  ])
  .default({ type: "auto" });

export const statsJobSchema = z.strictObject({
  source: z.string().min(1),
  /** How the stats job reads the source's lines: auto sniffs the first lines. */
  format: statsFormatSchema,
  interval: zDuration.default(10_000).refine(...atLeastOneSecond("interval")),
  top: z.number().int().positive().default(10),
  /** The sliding window of the reported rate; with an alert, `alert.over` is that window. */
  window: zDuration.default(120_000).refine(...atLeastOneSecond("window")),
  alert: z
    .strictObject({
      above: z.number().positive(),
      over: zDuration.default(120_000).refine(...atLeastOneSecond("alert.over")),
    })
    .optional(),
  /** How much later than the newest line a line may come (event time) and still count; later ones count as late. */
  lateness: zDuration.default(5_000),
  /** Distinct sections and hosts counted per interval (memory bound); beyond it top lists become approximate. */
  top_capacity: z.number().int().min(10).max(1_000_000).default(DEFAULT_TOP_CAPACITY),
  /** Reports kept for latest()/history() (the web view's charts). */
  history: z.number().int().positive().max(100_000).default(DEFAULT_HISTORY),
  actions: zNameList.optional(),
});

export type StatsJobConfig = z.output<typeof statsJobSchema>;
export type StatsJobInput = z.input<typeof statsJobSchema>;
