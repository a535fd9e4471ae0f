// The action registry: every action kind, by its config `type`, each with the standard action metrics.
import type { ActionKind } from "../core/component.js";
import { consoleAction } from "./console/index.js";
import { discordAction } from "./discord/index.js";
import { emailAction } from "./email/index.js";
import { execAction } from "./exec/index.js";
import { fileAction } from "./file/index.js";
import { httpAction } from "./http/index.js";
import { natsAction } from "./nats/index.js";
import { slackAction } from "./slack/index.js";
import { withStandardMetrics } from "./standard.js";

export const actionKinds: ActionKind[] = (
  [
    discordAction,
    slackAction,
    httpAction,
    execAction,
    fileAction,
    consoleAction,
    natsAction,
    emailAction,
  ] as ActionKind[]
).map((kind) => withStandardMetrics(kind));

export function findActionKind(type: string): ActionKind | undefined {
  return actionKinds.find((kind) => kind.type === type);
}
