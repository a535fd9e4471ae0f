// Config schema of one traffic-stats job (owned by the stats module; extended there).
import { z } from "zod";
import { zDuration, zNameList } from "../core/schema.js";

export const statsJobSchema = z.strictObject({
  source: z.string().min(1),
  interval: zDuration.default(10_000),
  top: z.number().int().positive().default(10),
  alert: z.strictObject({ above: z.number().positive(), over: zDuration.default(120_000) }).optional(),
  actions: zNameList.optional(),
});

export type StatsJobConfig = z.output<typeof statsJobSchema>;
