// The discord action's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";
import { deliverySchemaShape } from "../delivery/schema.js";

export const discordSchema = z.strictObject({
  /** The webhook URL (https://discord.com/api/webhooks/ID/TOKEN). */
  url: z.url({ protocol: /^https?$/ }),
  /** Override the webhook's name and avatar. */
  username: z
    .string()
    .min(1)
    .max(80)
    .refine((name) => !/discord|clyde/i.test(name), 'Discord refuses webhook names containing "discord" or "clyde"')
    .optional(),
  avatar_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Wrap each message in a ``` code block (log text shown as is, no markdown). */
  code_block: z.boolean().default(false),
  /** Put first in every message and allowed to ping: "<@USER_ID>", "<@&ROLE_ID>", "@here", "@everyone". */
  mention: z.string().min(1).max(200).optional(),
  ...deliverySchemaShape,
});

export type DiscordConfig = z.output<typeof discordSchema>;
