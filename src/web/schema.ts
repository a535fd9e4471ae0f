// Config schema of the web server (owned by the web module; extended there).
import { z } from "zod";

export const webSchema = z.strictObject({
  listen: z.string().default("127.0.0.1:8080"),
  token: z.string().optional(),
});

export type WebConfig = z.output<typeof webSchema>;
