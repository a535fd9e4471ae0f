// The `syslog` source kind: RFC 5424/3164 over UDP and TCP (RFC 6587 framing).
import type { SourceContext, SourceKind } from "../../core/component.js";
import { syslogSchema, type SyslogConfig } from "./schema.js";
import { SyslogSource } from "./source.js";

export const syslogSource: SourceKind<SyslogConfig> = {
  type: "syslog",
  schema: syslogSchema,
  create: (config: SyslogConfig, context: SourceContext) => new SyslogSource(config, context),
};

export { SyslogSource } from "./source.js";
export { parseSyslog, type ParsedSyslog } from "./parse.js";
export type { SyslogConfig } from "./schema.js";
