// The `nats` source kind: a durable JetStream pull consumer that logward instances share.
import type { SourceContext, SourceKind } from "../../core/component.js";
import { natsSourceSchema, type NatsSourceConfig } from "./schema.js";
import { NatsSource } from "./source.js";

export const natsSource: SourceKind<NatsSourceConfig> = {
  type: "nats",
  schema: natsSourceSchema,
  create: (config: NatsSourceConfig, context: SourceContext) => new NatsSource(config, context),
};

export { NatsSource } from "./source.js";
export { decodeMessage } from "./decode.js";
export type { NatsSourceConfig } from "./schema.js";
