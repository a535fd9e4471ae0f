// Config schema of the web server (owned by the web module; extended there).
import * as z from "zod";
import { zSize } from "../core/schema.js";
import { parseListen } from "./listen.js";

/** "host:port", "[v6]:port", ":port" or a port; a non-loopback host without a token is refused by the config cross-checks. */
const zListen = z.string().superRefine((text, ctx) => {
  try {
    parseListen(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

export const webSchema = z.strictObject({
  listen: zListen.default("127.0.0.1:8080"),
  /** Bearer token; an empty value (an unset ${VAR}) means no token. */
  token: z.string().optional(),
  /** Lines kept per source for the page's history and for resuming a stream. */
  history: z.number().int().positive().max(1_000_000).default(1000),
  /** Bytes queued for one slow browser before its lines are dropped (and it is told how many). */
  client_buffer: zSize.default(4 * 1024 * 1024),
});

export type WebConfig = z.output<typeof webSchema>;
