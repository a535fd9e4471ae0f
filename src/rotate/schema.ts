// Config schema of one rotate job (owned by the rotate module; extended there).
import { z } from "zod";
import { zDuration, zSize } from "../core/schema.js";

export const rotateJobSchema = z.strictObject({
  path: z.string().min(1),
  archive_dir: z.string().optional(),
  max_size: zSize.optional(),
  max_age: zDuration.optional(),
  compress: z.boolean().default(false),
  keep_days: z.number().nonnegative().optional(),
  keep: z.number().int().nonnegative().optional(),
  method: z.enum(["rename", "copytruncate"]).default("rename"),
  post_rotate: z.string().optional(),
  check_every: zDuration.default(60_000),
});

export type RotateJobConfig = z.output<typeof rotateJobSchema>;
