// The http action: events POSTed as JSON ({"events":[...]} or a body template) to any webhook.
import type { ActionKind } from "../../core/component.js";
import type { LogEvent } from "../../core/event.js";
import { wireEvent, type WireEvent } from "../../core/wire.js";
import type { Part } from "../delivery/batcher.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { formatEvent, formatHeadline, physicalLines } from "../delivery/format.js";
import { redactUrl, type OutgoingRequest } from "../delivery/transport.js";
import { renderTemplate } from "./template.js";

import { httpSchema as schema, type HttpConfig } from "./schema.js";
export type { HttpConfig } from "./schema.js";

/** One event in the default body: the event's wire description, always a message, and its lines as text. */
export interface HttpEvent extends WireEvent {
  message: string;
  lines: string[];
}

export function httpEvent(event: LogEvent): HttpEvent {
  return { ...wireEvent(event), message: event.message ?? formatHeadline(event), lines: physicalLines(event) };
}

interface HttpPart {
  json: string;
  text: string;
  event: LogEvent;
}

export function httpEncoder(config: HttpConfig): Encoder<HttpPart> {
  const headers: Record<string, string> = { "user-agent": "logward", ...config.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["content-type"] = "application/json";
  return {
    capacity: Infinity, // requests are bounded by batch.size and batch.max_bytes
    parts(event): Part<HttpPart>[] {
      const json = JSON.stringify(httpEvent(event));
      const value = { json, text: formatEvent(event).join("\n"), event };
      return [{ value, size: 1, bytes: Buffer.byteLength(json) }];
    },
    request(parts): OutgoingRequest {
      const events = `[${parts.map((p) => p.json).join(",")}]`;
      const body = config.body_template
        ? renderTemplate(config.body_template, {
            events,
            message: parts.map((p) => p.text).join("\n"),
            count: parts.length,
            ...(parts[0] ? { first: parts[0].event } : {}),
          })
        : `{"events":${events}}`;
      return { url: config.url, method: config.method, headers, body };
    },
  };
}

export const httpAction: ActionKind<HttpConfig> = {
  type: "http",
  schema,
  create(config, context) {
    return new DeliveryQueue({ config, context, encoder: httpEncoder(config), target: redactUrl(config.url) });
  },
};
