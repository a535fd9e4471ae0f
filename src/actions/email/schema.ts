// The email action's config schema, kept apart from its SMTP/TLS code so a config is validated without loading it.
import * as z from "zod";
import { deliveryShape } from "../delivery/schema.js";
import { checkPlaceholders, EVENT_PLACEHOLDERS } from "../delivery/template.js";

/** An address as SMTP carries it: no spaces, brackets or line breaks (nothing that could inject a command). */
const zAddress = z.string().regex(/^[^\s<>()",;:\\]+@[^\s<>()",;:\\]+$/, "expected an address like ops@example.org");

const SUBJECT_PLACEHOLDERS = [...EVENT_PLACEHOLDERS, "count", "message"];

export const emailSchema = z.strictObject({
  /** smtp://[user:pass@]host[:port] (587 by default, STARTTLS per `starttls`) or smtps://... (465, TLS at once). */
  smtp: z.url({ protocol: /^smtps?$/ }),
  from: zAddress,
  to: z.union([zAddress, z.array(zAddress).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
  /** Template: {{rule}}, {{source}}, {{kind}}, {{state}}, {{count}}, {{message}}. */
  subject: z
    .string()
    .min(1)
    .superRefine((template, ctx) => {
      const problem = checkPlaceholders(template, SUBJECT_PLACEHOLDERS);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("[logward] {{rule}} {{state}} on {{source}}"),
  /** auto: STARTTLS when the server offers it; always: refuse a server that does not; never: stay in plain text. */
  starttls: z.enum(["auto", "always", "never"]).default("auto"),
  /** PEM file of certificates to trust besides the system's (a private CA or a self-signed server). */
  ca_file: z.string().min(1).optional(),
  // One message per alert by default: an inbox is read by people.
  ...deliveryShape({ batchSize: 1, timeoutMs: 30_000 }),
});

export type EmailConfig = z.output<typeof emailSchema>;
