// Config of the syslog source: listen addresses (udp:// and tcp://), message size limit, TCP framing and limits.
import * as z from "zod";
import { zDuration, zSize } from "../../core/schema.js";

export interface ListenAddress {
  transport: "udp" | "tcp";
  host: string;
  port: number;
}

/** "udp://host:port" or "tcp://host:port" (IPv6 in brackets; port 0 picks a free port). */
export function parseListen(text: string): ListenAddress | string {
  const m = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/[\]]+):(\d{1,5})$/.exec(text.trim());
  if (!m) return `invalid listen address "${text}" (use udp://HOST:PORT or tcp://HOST:PORT)`;
  const port = Number(m[3]);
  if (port > 65535) return `invalid port ${port} in "${text}"`;
  const host = (m[2] as string).replace(/^\[(.*)\]$/, "$1");
  return { transport: m[1] as "udp" | "tcp", host, port };
}

/** Kept as written (so `logward check` shows it that way), checked here, parsed by the source. */
const zListen = z.string().superRefine((value, ctx) => {
  const parsed = parseListen(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

export const syslogSchema = z.strictObject({
  listen: z.union([zListen, z.array(zListen).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
  /** Longer messages are cut to this size, marked `truncated` and counted. */
  max_message_bytes: zSize.default(64 * 1024),
  /** TCP only (RFC 6587): octet counting, newline-terminated, or decided per connection. */
  framing: z.enum(["auto", "newline", "octet"]).default("auto"),
  /** TCP only: open connections at a time; one more is closed at once and counted (rsyslog's MaxSessions is 200). */
  max_connections: z.number().int().positive().default(200),
  /** TCP only: a connection that sends nothing for this long is closed (0: never). */
  idle_timeout: zDuration.default(10 * 60_000),
  /** UDP only: bytes of messages waiting for the pipeline; beyond it datagrams are dropped and counted. */
  max_queue_bytes: zSize.pipe(z.number().int().positive()).default(16 * 1024 * 1024),
});

export type SyslogConfig = z.output<typeof syslogSchema>;
