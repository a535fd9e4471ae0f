// The config module's public API: load, validate, locate and print configs.
export { loadConfig, validateConfig, resolveConfigPath, configSearchPath } from "./load.js";
export { ConfigError, formatIssue, type ConfigIssue } from "./issues.js";
export { formatConfig } from "./format.js";
export { legacyConverters, type LegacyConverter } from "./legacy.js";
export type { Config, SourceConfig, ActionConfig, ParserRef } from "./types.js";
