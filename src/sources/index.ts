// The source registry: every source kind, by its config `type`.
import type { SourceKind } from "../core/component.js";
import { fileSource } from "./file/index.js";
import { stdinSource } from "./stdin/index.js";
import { natsSource } from "./nats/index.js";
import { syslogSource } from "./syslog/index.js";
import { journaldSource } from "./journald/index.js";

export const sourceKinds: SourceKind[] = [fileSource, stdinSource, syslogSource, natsSource, journaldSource];

export function findSourceKind(type: string): SourceKind | undefined {
  return sourceKinds.find((kind) => kind.type === type);
}
