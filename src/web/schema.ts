// Config schema of the web server (owned by the web module; extended there).
import * as z from "zod";
import { zDuration, zSize } from "../core/schema.js";
import { parseListen } from "./listen.js";

/**
 * "host:port", "[v6]:port", ":port" or a port; a non-loopback host without a token is refused by the config
 * cross-checks.
 */
const zListen = z.string().superRefine((text, ctx) => {
  try {
    parseListen(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

export const webSchema = z.strictObject({
  listen: zListen.default("127.0.0.1:8080"),
  /** Bearer token; an empty value (an unset ${VAR}) means none given. Without one, a random token is made at start. */
  token: z.string().optional(),
  /** A file holding the token (its first line), e.g. a secret mounted by the service manager. */
  token_file: z.string().optional(),
  /** "none": no token at all (loopback only, the Host header still checked). */
  auth: z.enum(["token", "none"]).default("token"),
  /** Lines kept per source for the page's history and for resuming a stream. */
  history: z.number().int().positive().max(1_000_000).default(1000),
  /** Characters of history kept per source (the oldest lines go first); each line is cut to 64 KiB for display. */
  history_bytes: zSize.default(4 * 1024 * 1024),
  /** Bytes queued for one slow browser before its lines are dropped (and it is told how many). */
  client_buffer: zSize.default(4 * 1024 * 1024),
  /** Open connections (live streams included) beyond which new ones are closed at once, and counted. */
  max_connections: z.number().int().positive().max(100_000).default(256),
  /** A connection must send a whole request within this (slow or idle clients are cut off). */
  request_timeout: zDuration.default(10_000),
  /** How long one client filter (?match=) may run on the lines of one request or batch. */
  pattern_budget: zDuration.default(500),
  /** Keep stats reports and alerts in state_dir (web-history.jsonl), so the charts and alerts survive a restart. */
  keep_history: z.boolean().default(true),
  /** Reports and alerts older than this are not kept across restarts (the newest 360 reports a job, 500 alerts). */
  history_age: zDuration.default(24 * 3600 * 1000),
});

export type WebConfig = z.output<typeof webSchema>;
