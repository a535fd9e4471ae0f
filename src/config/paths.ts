// Relative paths in a config file mean "next to the config": resolved once at load, whatever the working directory.
import path from "node:path";
import type { Config } from "./types.js";

/**
 * A relative path against `base`; absolute, `~`-prefixed (expanded later by its component) and empty ones unchanged.
 */
function against(base: string, p: string): string {
  if (p === "" || p.startsWith("~") || path.isAbsolute(p)) return p;
  return path.resolve(base, p);
}

function resolveKey(entry: Record<string, unknown>, key: string, base: string): void {
  const value = entry[key];
  if (typeof value === "string") entry[key] = against(base, value);
  else if (Array.isArray(value)) entry[key] = value.map((v: unknown) => (typeof v === "string" ? against(base, v) : v));
}

/**
 * Every relative path of a loaded config — state_dir, log.file, pid_file, file sources' paths, rotate jobs' path and
 * archive_dir, the file action's path, any action's dead_letter, exec's cwd, email's ca_file — becomes absolute
 * against `base`, the config file's folder. A service started from / then reads the same files as a shell in the
 * config's folder.
 */
export function resolveConfigPaths(config: Config, base: string): void {
  config.state_dir = against(base, config.state_dir);
  if (config.log.file) config.log.file = against(base, config.log.file);
  if (config.pid_file) config.pid_file = against(base, config.pid_file);
  for (const source of Object.values(config.sources)) if (source.type === "file") resolveKey(source, "path", base);
  for (const job of Object.values(config.rotate)) {
    const entry = job as unknown as Record<string, unknown>;
    resolveKey(entry, "path", base);
    resolveKey(entry, "archive_dir", base);
  }
  for (const action of Object.values(config.actions)) {
    if (action.type === "file") resolveKey(action, "path", base);
    if (action.type === "exec") resolveKey(action, "cwd", base);
    if (action.type === "email") resolveKey(action, "ca_file", base);
    resolveKey(action, "dead_letter", base);
  }
}
