// The `file` source kind: tail files, directories and globs through every kind of rotation, with checkpoints.
import type { SourceKind } from "../../core/component.js";
import { fileSourceSchema, type FileSourceConfig } from "./schema.js";
import { FileSource } from "./source.js";

export type { FileSourceConfig } from "./schema.js";
export { fileSourceSchema } from "./schema.js";

export const fileSource: SourceKind<FileSourceConfig> = {
  type: "file",
  schema: fileSourceSchema,
  create: (config, context) => new FileSource(config, context),
};
