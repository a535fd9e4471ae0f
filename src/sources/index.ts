// The source registry: every source kind, by its config `type`. Each kind's schema is imported here; its
// implementation only when a config names it (loadSourceKinds).
import type { SourceKind } from "../core/component.js";
import { lazyKind, loadKinds } from "../config/lazy-kind.js";
import { fileSourceSchema } from "./file/schema.js";
import { stdinSourceSchema } from "./stdin/schema.js";
import { natsSourceSchema } from "./nats/schema.js";
import { syslogSchema } from "./syslog/schema.js";
import { SYSLOG_FIELDS } from "./syslog/fields.js";
import { journaldSourceSchema } from "./journald/schema.js";

export const sourceKinds: SourceKind[] = [
  // The fields each source sets itself (its parser's come on top); nats and journald may set any.
  lazyKind(
    "file",
    fileSourceSchema,
    async () => (await import("./file/index.js")).fileSource,
    () => [],
  ),
  lazyKind(
    "stdin",
    stdinSourceSchema,
    async () => (await import("./stdin/index.js")).stdinSource,
    () => [],
  ),
  lazyKind(
    "syslog",
    syslogSchema,
    async () => (await import("./syslog/index.js")).syslogSource,
    () => SYSLOG_FIELDS,
  ),
  lazyKind("nats", natsSourceSchema, async () => (await import("./nats/index.js")).natsSource),
  lazyKind("journald", journaldSourceSchema, async () => (await import("./journald/index.js")).journaldSource),
];

export function findSourceKind(type: string): SourceKind | undefined {
  return sourceKinds.find((kind) => kind.type === type);
}

/** Load the implementations of these source types, before any of them is created. */
export function loadSourceKinds(types: Iterable<string>): Promise<void> {
  return loadKinds(sourceKinds, types);
}
