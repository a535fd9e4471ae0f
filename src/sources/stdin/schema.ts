// The stdin source's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";
import { zDuration, zPattern, zSize } from "../../core/schema.js";

export const stdinSourceSchema = z.strictObject({
  multiline: z.strictObject({ start: zPattern, timeout: zDuration.default(1000) }).optional(),
  max_line_bytes: zSize.pipe(z.number().int().min(64)).default(1024 * 1024),
});

export type StdinSourceConfig = z.output<typeof stdinSourceSchema>;
