// The resolved configuration every command builds and the daemon runs.
import type { LogLevel } from "../core/logger.js";
import type { RuleConfig } from "../rules/schema.js";
import type { StatsJobConfig } from "../stats/schema.js";
import type { RotateJobConfig } from "../rotate/schema.js";
import type { WebConfig } from "../web/schema.js";

/** A parser reference on a source: a format name, or an object with `type` and its options. */
export type ParserRef = { type: string; [key: string]: unknown };

/** A source entry: `type` (default "file"), `parser`, and the kind's own keys, already validated. */
export interface SourceConfig {
  type: string;
  parser?: ParserRef;
  [key: string]: unknown;
}

export interface ActionConfig {
  type: string;
  [key: string]: unknown;
}

export interface Config {
  /** The file it was loaded from, when there was one. */
  path?: string;
  state_dir: string;
  log: { level: LogLevel; file?: string; format?: "json" | "pretty" };
  pid_file?: string;
  /** How long a stop (SIGTERM/SIGINT) waits for the actions to deliver what is pending, in ms. */
  drain_timeout?: number;
  sources: Record<string, SourceConfig>;
  rules: Record<string, RuleConfig>;
  stats: Record<string, StatsJobConfig>;
  actions: Record<string, ActionConfig>;
  rotate: Record<string, RotateJobConfig>;
  web?: WebConfig;
  /** Notes for the user, e.g. that the file was converted from a legacy format and how to migrate. */
  hints?: string[];
}
