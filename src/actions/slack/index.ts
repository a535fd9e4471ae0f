// The slack action: incoming-webhook messages {text}, mrkdwn-escaped, split under Slack's text limit, ~1 per second.
import type { ActionKind } from "../../core/component.js";
import { chatCapacity, chatContent, chatParts, type ChatOptions } from "../delivery/chat.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { sharedGate } from "../delivery/gate.js";
import { redactUrl, type OutgoingRequest } from "../delivery/transport.js";
import { escapeSlackChar } from "../delivery/text.js";
import { slackSchema as schema, type SlackConfig } from "./schema.js";
export type { SlackConfig } from "./schema.js";
export { SLACK_TEXT_LIMIT } from "./schema.js";

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
