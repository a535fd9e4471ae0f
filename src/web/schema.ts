// Config schema of the web server (owned by the web module; extended there).
import { z } from "zod";
import { zSize } from "../core/schema.js";
import { isLoopback, parseListen } from "./listen.js";

export const webSchema = z
  .strictObject({
    /** "host:port"; loopback by default. */
    listen: z.string().default("127.0.0.1:8080"),
    /** Bearer token; an empty value (unset ${VAR}) means no token. */
    token: z.string().optional(),
    /** Lines kept per source for the page's history and for resuming a stream. */
    history: z.number().int().positive().max(1_000_000).default(1000),
    /** Bytes queued for one slow browser before its lines are dropped (and it is told how many). */
    client_buffer: zSize.default(1024 * 1024),
  })
  .superRefine((web, ctx) => {
    let host: string;
    try {
      host = parseListen(web.listen).host;
    } catch (err) {
      ctx.addIssue({ code: "custom", path: ["listen"], message: (err as Error).message });
      return;
    }
    if (!isLoopback(host) && !web.token) {
      ctx.addIssue({ code: "custom", path: ["token"], message: `listening on ${web.listen} (not loopback) needs a token` });
    }
  });

export type WebConfig = z.output<typeof webSchema>;
