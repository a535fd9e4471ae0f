// The file action's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";

export const fileSchema = z.strictObject({
  /** The file to append to; a leading ~/ is the home folder; missing parent folders are created. */
  path: z.string().min(1),
  /** fsync after each write burst (durable, slower). */
  fsync: z.boolean().default(false),
});

export type FileConfig = z.output<typeof fileSchema>;
