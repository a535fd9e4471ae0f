// The slack action: incoming-webhook messages {text}, mrkdwn-escaped, split under Slack's text limit, ~1 per second.
import * as z from "zod";
import type { ActionKind } from "../../core/component.js";
import { chatCapacity, chatContent, chatParts, type ChatOptions } from "../delivery/chat.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { sharedGate } from "../delivery/gate.js";
import { deliveryShape } from "../delivery/schema.js";
import { redactUrl, type OutgoingRequest } from "../delivery/transport.js";
import { escapeSlackChar } from "../delivery/text.js";

/**
 * Slack truncates a message's text past 40,000 characters and recommends staying near 4,000; 3,000
 * (the limit of a section block) keeps messages readable and well inside both.
 */
export const SLACK_TEXT_LIMIT = 3000;

const schema = z.strictObject({
  /** The incoming webhook URL (https://hooks.slack.com/services/...). */
  url: z.url({ protocol: /^https?$/ }),
  /** Wrap each message in a ``` code block. */
  code_block: z.boolean().default(false),
  /** Longest text of one message, in characters after escaping. */
  max_chars: z.number().int().min(100).max(40_000).default(SLACK_TEXT_LIMIT),
  // Slack allows about one message per second per webhook, with short bursts.
  ...deliveryShape({ rateLimitMs: 1_000 }),
});

export type SlackConfig = z.output<typeof schema>;

export function slackEncoder(config: SlackConfig): Encoder<string> {
  const chat: ChatOptions = { limit: config.max_chars, codeBlock: config.code_block, escapeChar: escapeSlackChar };
  return {
    capacity: chatCapacity(chat),
    parts: (event) => chatParts(event, chat),
    request(parts): OutgoingRequest {
      return {
        url: config.url,
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "user-agent": "logward" },
        body: JSON.stringify({ text: chatContent(parts, chat) }),
      };
    },
  };
}

export const slackAction: ActionKind<SlackConfig> = {
  type: "slack",
  schema,
  create(config, context) {
    return new DeliveryQueue({
      config,
      context,
      encoder: slackEncoder(config),
      gate: sharedGate(`slack:${config.url}`),
      target: redactUrl(config.url),
    });
  },
};
