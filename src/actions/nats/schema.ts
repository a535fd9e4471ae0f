// Config of the nats action: servers and credentials, stream, subject template, stream creation, in-flight bound.
import * as z from "zod";
import { zDuration, zSize } from "../../core/schema.js";
import { checkCredentials, natsConnectionShape, zStreamName } from "../../nats/connection.js";
import { checkTemplate, streamSubjects } from "./subject.js";

export const natsActionSchema = z
  .strictObject({
    ...natsConnectionShape,
    stream: zStreamName,
    /** Where each record goes: {source}, {rule} and {host} become subject tokens. */
    subject: z.string().min(1).default("logs.{source}"),
    /** Create the stream when it does not exist (an existing stream is never changed). */
    create_stream: z.boolean().default(true),
    /** Subjects of a created stream; by default derived from the template ("logs.{source}" → "logs.>"). */
    subjects: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    retention: z.enum(["limits", "workqueue", "interest"]).default("limits"),
    storage: z.enum(["file", "memory"]).default("file"),
    /** Limits of a created stream; unlimited when absent. */
    max_age: zDuration.optional(),
    max_bytes: zSize.optional(),
    /** Messages published and not yet acknowledged by the server, at most; beyond it send() waits. */
    max_in_flight: z.number().int().positive().default(64),
    /** Lines gathered into one message at most (1: every line its own message, as logward 0.1 published). */
    max_batch_lines: z.number().int().positive().max(100_000).default(1000),
    /**
     * Bytes of one message at most (and never more than the server's max_payload allows). Under 128 KiB by
     * default: an analyser decodes a message into one string, and V8 allocates strings past that size one by one
     * outside its young generation, at several times the cost per byte.
     */
    max_batch_bytes: zSize.default(96 * 1024),
    /** How long to wait for the server's acknowledgement before publishing again (deduplicated). */
    ack_timeout: zDuration.default(5000),
  })
  .superRefine((config, ctx) => {
    checkCredentials(config, ctx);
    const problem = checkTemplate(config.subject);
    if (problem) ctx.addIssue({ code: "custom", path: ["subject"], message: problem });
    else if (config.create_stream && !config.subjects && !streamSubjects(config.subject)) {
      ctx.addIssue({
        code: "custom",
        path: ["subjects"],
        message: `the subject "${config.subject}" starts with a placeholder: set subjects for the stream`,
      });
    }
  });

export type NatsActionConfig = z.output<typeof natsActionSchema>;
