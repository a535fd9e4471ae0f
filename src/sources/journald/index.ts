// The `journald` source kind: the systemd journal read through journalctl, its cursor kept as the checkpoint.
import type { SourceContext, SourceKind } from "../../core/component.js";
import { journaldSourceSchema, type JournaldSourceConfig } from "./schema.js";
import { JournaldSource } from "./source.js";

export const journaldSource: SourceKind<JournaldSourceConfig> = {
  type: "journald",
  schema: journaldSourceSchema,
  create: (config: JournaldSourceConfig, context: SourceContext) => new JournaldSource(config, context),
};

export { JournaldSource } from "./source.js";
export type { JournaldSourceConfig } from "./schema.js";
