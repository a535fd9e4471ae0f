// The discord action: lines packed into ≤2000-character webhook messages, Discord's rate limits obeyed.
import type { ActionKind } from "../../core/component.js";
import { chatCapacity, chatContent, chatParts, type ChatOptions } from "../delivery/chat.js";
import { DeliveryQueue, type Encoder } from "../delivery/queue.js";
import { sharedGate } from "../delivery/gate.js";
import { redactUrl, type OutgoingRequest } from "../delivery/transport.js";
import { classifyDiscord } from "./rate-limit.js";

/** Discord's limit on a message's content. */
export const DISCORD_CONTENT_LIMIT = 2000;

import { discordSchema as schema, type DiscordConfig } from "./schema.js";
export type { DiscordConfig } from "./schema.js";

/** Pings only what `mention` names; anything in the log text stays inert. */
export function allowedMentions(mention: string | undefined): { parse: string[]; users?: string[]; roles?: string[] } {
  if (!mention) return { parse: [] };
  const users = [...mention.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] as string);
  const roles = [...mention.matchAll(/<@&(\d+)>/g)].map((m) => m[1] as string);
  return {
    parse: /@(here|everyone)\b/.test(mention) ? ["everyone"] : [],
    ...(users.length ? { users } : {}),
    ...(roles.length ? { roles } : {}),
  };
}

/** ?wait=true: Discord confirms the message was saved before answering, so a 2xx means delivered. */
export function executeUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("wait", "true");
  return parsed.toString();
}

export function discordEncoder(config: DiscordConfig): Encoder<string> {
  const chat: ChatOptions = {
    limit: DISCORD_CONTENT_LIMIT,
    codeBlock: config.code_block,
    ...(config.mention ? { prefix: config.mention } : {}),
  };
  const url = executeUrl(config.url);
  const mentions = allowedMentions(config.mention);
  return {
    capacity: chatCapacity(chat),
    parts: (event) => chatParts(event, chat),
    request(parts): OutgoingRequest {
      const body = {
        content: chatContent(parts, chat),
        ...(config.username ? { username: config.username } : {}),
        ...(config.avatar_url ? { avatar_url: config.avatar_url } : {}),
        allowed_mentions: mentions,
      };
      return {
        url,
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "logward" },
        body: JSON.stringify(body),
      };
    },
  };
}

export const discordAction: ActionKind<DiscordConfig> = {
  type: "discord",
  schema,
  create(config, context) {
    const bucket = new URL(config.url);
    bucket.search = "";
    return new DeliveryQueue({
      config,
      context,
      encoder: discordEncoder(config),
      classify: classifyDiscord,
      // Actions posting to the same webhook share its bucket; every webhook on a host shares the global limit.
      gate: sharedGate(`discord:${bucket.toString()}`),
      globalGate: sharedGate(`discord-global:${bucket.origin}`),
      target: redactUrl(config.url),
    });
  },
};
