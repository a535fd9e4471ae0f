// The slack action's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";
import { deliveryShape } from "../delivery/schema.js";

/**
 * Slack truncates a message's text past 40,000 characters and recommends staying near 4,000; 3,000
 * (the limit of a section block) keeps messages readable and well inside both.
 */
export const SLACK_TEXT_LIMIT = 3000;

export const slackSchema = z.strictObject({
  /** The incoming webhook URL (https://hooks.slack.com/services/...). */
  url: z.url({ protocol: /^https?$/ }),
  /** Wrap each message in a ``` code block. */
  code_block: z.boolean().default(false),
  /** Longest text of one message, in characters after escaping. */
  max_chars: z.number().int().min(100).max(40_000).default(SLACK_TEXT_LIMIT),
  // Slack allows about one message per second per webhook, with short bursts.
  ...deliveryShape({ rateLimitMs: 1_000 }),
});

export type SlackConfig = z.output<typeof slackSchema>;
