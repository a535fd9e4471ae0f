// The email action: each alert (or a digest of batch.size alerts) as one plain-text message over SMTP, with the
// shared delivery keys: 4xx answers and dropped connections are retried, 5xx ones dead-lettered.
import { readFileSync } from "node:fs";
import * as z from "zod";
import type { ActionKind } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import { UserError } from "../../core/errors.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { deliveryShape } from "../delivery/schema.js";
import { checkPlaceholders, EVENT_PLACEHOLDERS } from "../delivery/template.js";
import { redactUrl, type Classifier, type OutgoingRequest, type Transport } from "../delivery/transport.js";
import { buildMessage } from "./message.js";
import { sendMail, SmtpError } from "./smtp.js";

/** An address as SMTP carries it: no spaces, brackets or line breaks (nothing that could inject a command). */
const zAddress = z.string().regex(/^[^\s<>()",;:\\]+@[^\s<>()",;:\\]+$/, "expected an address like ops@example.org");

const SUBJECT_PLACEHOLDERS = [...EVENT_PLACEHOLDERS, "count", "message"];

const schema = z.strictObject({
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

export type EmailConfig = z.output<typeof schema>;

export function emailEncoder(config: EmailConfig, now: () => number): Encoder<LogEvent> {
  const domain = config.from.split("@")[1] ?? "logward";
  return {
    capacity: Infinity,
    parts: (event) => [{ value: event, size: 1, bytes: event.records.reduce((n, r) => n + r.line.length, 200) }],
    request(events): OutgoingRequest {
      const message = buildMessage(events, { ...config, domain, now: now() });
      return { url: config.smtp, method: "SMTP", headers: {}, body: message };
    },
  };
}

/** SMTP over the delivery layer's transport: the reply code becomes the status the classifier reads. */
export function smtpTransport(config: EmailConfig): Transport {
  const ca = config.ca_file ? readCa(config.ca_file) : undefined;
  const target = { url: config.smtp, starttls: config.starttls, ...(ca ? { ca } : {}) };
  return async (request, signal) => {
    try {
      const reply = await sendMail(target, { from: config.from, to: config.to }, request.body, signal);
      return { status: reply.code, header: () => null, body: reply.text };
    } catch (err) {
      if (!(err instanceof SmtpError)) throw err; // a network failure or timeout: the sender retries it
      return { status: err.code, header: () => null, body: err.message };
    }
  };
}

/** 2xx delivered; 4xx a temporary failure (retried); 5xx refused for good (dead-lettered). */
export const classifySmtp: Classifier = (reply) => {
  const reason = `SMTP ${reply.body.replace(/\s+/g, " ").slice(0, 200)}`;
  if (reply.status >= 200 && reply.status < 300) return { result: "ok", reason, status: reply.status };
  if (reply.status >= 400 && reply.status < 500) return { result: "retry", reason, status: reply.status };
  return { result: "reject", reason, status: reply.status };
};

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError("CONFIG_INVALID", `email: cannot read ca_file ${path}`, { cause: err });
  }
}

export const emailAction: ActionKind<EmailConfig> = {
  type: "email",
  schema,
  create(config, context) {
    return new DeliveryQueue({
      config,
      context,
      encoder: emailEncoder(config, () => context.clock.now()),
      transport: smtpTransport(config),
      classify: classifySmtp,
      target: redactUrl(config.smtp),
    });
  },
};
