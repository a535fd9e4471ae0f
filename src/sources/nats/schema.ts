// Config of the nats source: servers and credentials, stream, durable consumer shared by analysers, pull sizes.
import * as z from "zod";
import { zDuration } from "../../core/schema.js";
import { checkCredentials, natsConnectionShape, zStreamName } from "../../nats/connection.js";

export const natsSourceSchema = z
  .strictObject({
    ...natsConnectionShape,
    stream: zStreamName,
    /** Durable consumer name: every logward using the same one shares (splits) the messages. */
    consumer: zStreamName,
    /** Only these subjects of the stream (more than one needs nats-server 2.10). */
    subjects: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    /** Messages pulled at a time, and the most in one batch. */
    batch: z.number().int().positive().max(10_000).default(100),
    /** A message not acknowledged this long after delivery goes to another consumer (held ones are kept alive). */
    ack_wait: zDuration.default(30_000),
    /** Messages delivered and not yet acknowledged, across every instance sharing the consumer. */
    max_ack_pending: z.number().int().positive().default(1000),
    /** Where a consumer created now begins: the whole stream, or only new messages. */
    start_at: z.enum(["beginning", "end"]).default("beginning"),
  })
  .superRefine((config, ctx) => {
    checkCredentials(config, ctx);
    if (config.ack_wait < 1000)
      ctx.addIssue({ code: "custom", path: ["ack_wait"], message: "ack_wait must be at least 1s" });
  });

export type NatsSourceConfig = z.output<typeof natsSourceSchema>;
