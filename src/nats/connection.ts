// NATS connection settings shared by the nats action and the nats source (stream names too): servers, credentials,
// reconnect forever, a first connect retried in our own cancellable loop, and status logging.
import type { ConnectionOptions, NatsConnection } from "@nats-io/transport-node";
import * as z from "zod";
import type { Clock, Timer } from "../core/clock.js";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

/** Stream and consumer names: no dots, wildcards or whitespace (they become API subject tokens). */
export const zStreamName = z.string().regex(/^[^.*>\s/\\]+$/, "a name without dots, spaces, *, > or slashes");

export const natsConnectionShape = {
  /** One URL or a list ("nats://host:4222"); the client fails over between them. */
  servers: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v])),
  user: z.string().min(1).optional(),
  pass: z.string().optional(),
  token: z.string().min(1).optional(),
};

export interface NatsConnectionConfig {
  servers: string[];
  user?: string | undefined;
  pass?: string | undefined;
  token?: string | undefined;
}

/** Cross-key checks of credentials, for a schema's superRefine. */
export function checkCredentials(config: NatsConnectionConfig, ctx: z.RefinementCtx): void {
  if (config.pass !== undefined && config.user === undefined)
    ctx.addIssue({ code: "custom", path: ["pass"], message: "pass needs user" });
  if (config.token !== undefined && config.user !== undefined)
    ctx.addIssue({ code: "custom", path: ["token"], message: "use either token or user/pass, not both" });
}

/**
 * Client options: reconnect forever (a restarted server is waited for, not given up on); while
 * disconnected the client buffers what is published, bounded by the callers' own in-flight limits.
 */
export function connectionOptions(config: NatsConnectionConfig, clientName: string): ConnectionOptions {
  return {
    servers: config.servers,
    name: clientName,
    ...(config.user !== undefined ? { user: config.user, pass: config.pass ?? "" } : {}),
    ...(config.token !== undefined ? { token: config.token } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // Otherwise every request (each publish awaiting its PubAck) captures two stack traces "for
    // debugging": a third of the agent's CPU at 100k events (bench/fleet.mjs). We log codes, not stacks.
    noAsyncTraces: true,
    pingInterval: 20_000,
    timeout: 10_000,
  };
}

export interface ConnectLoop {
  /** Resolves with the connection, or undefined when cancelled first. */
  connection: Promise<NatsConnection | undefined>;
  cancel(): void;
}

/**
 * Connect, retrying with backoff (1 s doubling to 30 s) while the servers are unreachable or refuse
 * us; each failure is logged. Cancelling stops the retries (a pending attempt is closed when it lands).
 */
export function connectWithRetry(options: ConnectionOptions, clock: Clock, logger: Logger): ConnectLoop {
  let cancelled = false;
  let timer: Timer | undefined;
  let wake: (() => void) | undefined;
  const connection = (async () => {
    for (let attempt = 1; !cancelled; attempt++) {
      try {
        // Loaded on first connect: most commands never touch NATS and should not pay for its import.
        const { connect } = await import("@nats-io/transport-node");
        const nc = await connect(options);
        if (!cancelled) return nc;
        await nc.close();
        return undefined;
      } catch (err) {
        if (cancelled) return undefined;
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
        logger.warn(
          { servers: options.servers, err: describeError(err), retry_ms: delay },
          "cannot connect to NATS; retrying",
        );
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = clock.setTimeout(resolve, delay);
        });
      }
    }
    return undefined;
  })();
  return {
    connection,
    cancel() {
      cancelled = true;
      timer?.cancel();
      wake?.();
    },
  };
}

/** The JetStream client library, loaded on first use like the connection (most commands never touch NATS). */
export function loadJetStream(): Promise<typeof import("@nats-io/jetstream")> {
  return import("@nats-io/jetstream");
}

/** Log disconnects and reconnects until the connection closes; calls onChange(connected). */
export async function watchStatus(
  nc: NatsConnection,
  logger: Logger,
  onChange: (connected: boolean) => void,
): Promise<void> {
  onChange(true);
  for await (const status of nc.status()) {
    if (status.type === "disconnect") {
      onChange(false);
      logger.warn({ server: status.server }, "NATS connection lost; reconnecting");
    } else if (status.type === "reconnect") {
      onChange(true);
      logger.info({ server: status.server }, "NATS connection restored");
    } else if (status.type === "error") {
      logger.warn({ err: String(status.error) }, "NATS error");
    }
  }
  onChange(false);
}

/** The JetStream API error code of a failed call (10059 stream not found, 10014 consumer not found...). */
export function jsErrorCode(err: unknown): number | undefined {
  // @nats-io/jetstream's JetStreamApiError: apiError() is the server's {code, err_code, description}
  const apiError = (err as { apiError?: unknown } | undefined)?.apiError;
  if (typeof apiError !== "function") return undefined;
  const api = (apiError as () => { err_code?: number } | undefined).call(err);
  return api?.err_code;
}

/** The client's name of a failed call ("JetStreamNotEnabled" when nothing answers, "TimeoutError"...). */
export function natsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Milliseconds to the nanoseconds JetStream's API takes (as nats.js `nanos`). */
export function nanos(ms: number): number {
  return ms * 1_000_000;
}
