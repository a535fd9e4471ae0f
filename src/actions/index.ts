// The action registry: every action kind, by its config `type`, each with the standard action metrics. Each kind's
// schema is imported here; its implementation only when a config names it (loadActionKinds).
import type { ActionKind } from "../core/component.js";
import { lazyKind, loadKinds } from "../config/lazy-kind.js";
import { consoleSchema } from "./console/schema.js";
import { discordSchema } from "./discord/schema.js";
import { emailSchema } from "./email/schema.js";
import { execSchema } from "./exec/schema.js";
import { fileSchema } from "./file/schema.js";
import { httpSchema } from "./http/schema.js";
import { natsActionSchema } from "./nats/schema.js";
import { slackSchema } from "./slack/schema.js";
import { withStandardMetrics } from "./standard.js";

const lazyActionKinds = [
  lazyKind("discord", discordSchema, async () => (await import("./discord/index.js")).discordAction),
  lazyKind("slack", slackSchema, async () => (await import("./slack/index.js")).slackAction),
  lazyKind("http", httpSchema, async () => (await import("./http/index.js")).httpAction),
  lazyKind("exec", execSchema, async () => (await import("./exec/index.js")).execAction),
  lazyKind("file", fileSchema, async () => (await import("./file/index.js")).fileAction),
  lazyKind("console", consoleSchema, async () => (await import("./console/index.js")).consoleAction),
  lazyKind("nats", natsActionSchema, async () => (await import("./nats/index.js")).natsAction),
  lazyKind("email", emailSchema, async () => (await import("./email/index.js")).emailAction),
];

export const actionKinds: ActionKind[] = (lazyActionKinds as ActionKind[]).map((kind) => withStandardMetrics(kind));

export function findActionKind(type: string): ActionKind | undefined {
  return actionKinds.find((kind) => kind.type === type);
}

/** Load the implementations of these action types, before any of them is created. */
export function loadActionKinds(types: Iterable<string>): Promise<void> {
  return loadKinds(lazyActionKinds, types);
}
