// The email action: each alert (or a digest of batch.size alerts) as one plain-text message over SMTP, with the
// shared delivery keys: 4xx answers and dropped connections are retried, 5xx ones dead-lettered.
import { readFileSync } from "node:fs";
import type { ActionKind } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import { UserError } from "../../core/errors.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { redactUrl, type Classifier, type OutgoingRequest, type Transport } from "../delivery/transport.js";
import { buildMessage } from "./message.js";
import { sendMail, SmtpError } from "./smtp.js";

import { emailSchema as schema, type EmailConfig } from "./schema.js";
export type { EmailConfig } from "./schema.js";

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
