// The console action's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";

export const consoleSchema = z.strictObject({
  format: z.enum(["text", "json"]).default("text"),
  stream: z.enum(["stdout", "stderr"]).default("stdout"),
});

export type ConsoleConfig = z.output<typeof consoleSchema>;
