// The `nats` action kind: publish events' records to a JetStream stream, released on PubAck.
import type { ActionContext, ActionKind } from "../../core/component.js";
import { NatsAction } from "./action.js";
import { natsActionSchema, type NatsActionConfig } from "./schema.js";

export const natsAction: ActionKind<NatsActionConfig> = {
  type: "nats",
  schema: natsActionSchema,
  create: (config: NatsActionConfig, context: ActionContext) => new NatsAction(config, context),
};

export { NatsAction } from "./action.js";
export type { NatsActionConfig } from "./schema.js";
