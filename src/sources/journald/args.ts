// The journalctl command lines: which journal, which entries, from where, following or not.
import type { JournaldSourceConfig } from "./schema.js";

/** What one journalctl run reads: from after a cursor (undefined or "": the journal's start); following or not. */
export interface RunPosition {
  cursor: string | undefined;
  follow: boolean;
}

/**
 * The arguments of a run that prints entries as JSON lines. No --show-cursor: with matches and nothing shown,
 * journalctl then exits with 1 and says nothing.
 */
export function readArgs(config: JournaldSourceConfig, position: RunPosition): string[] {
  const args = ["--output=json", "--all", "--no-pager", ...journalArgs(config)];
  // -f alone shows only the last 10 entries: --no-tail makes it start where asked.
  if (position.follow) args.push("--follow", "--no-tail");
  if (position.cursor) args.push(`--after-cursor=${position.cursor}`);
  return [...args, ...matchArgs(config)];
}

/** A run that prints nothing but the cursor of the journal's last entry (when empty: nothing, and exit code 1). */
export function tailArgs(config: JournaldSourceConfig): string[] {
  return ["--output=json", "--no-pager", "--show-cursor", "--lines=0", ...journalArgs(config)];
}

function journalArgs(config: JournaldSourceConfig): string[] {
  if (config.directory !== undefined) return [`--directory=${config.directory}`];
  return (config.files ?? []).map((file) => `--file=${file}`);
}

/**
 * Matches on one field are OR'ed by journalctl, on different fields AND'ed; `+` ORs the groups, so an entry of one
 * of the units or with one of the identifiers is shown (what `units` plus `identifiers` means to a user).
 */
export function matchArgs(config: JournaldSourceConfig): string[] {
  const units = (config.units ?? []).map((unit) => `_SYSTEMD_UNIT=${unitName(unit)}`);
  const identifiers = (config.identifiers ?? []).map((id) => `SYSLOG_IDENTIFIER=${id}`);
  return units.length > 0 && identifiers.length > 0 ? [...units, "+", ...identifiers] : [...units, ...identifiers];
}

/** `ssh` is `ssh.service`, as with `journalctl -u ssh`. */
export function unitName(unit: string): string {
  return unit.includes(".") ? unit : `${unit}.service`;
}

/** The checkpoint key: a cursor belongs to the journal it was read from. */
export function journalKey(config: JournaldSourceConfig): string {
  if (config.directory !== undefined) return `directory:${config.directory}`;
  if (config.files !== undefined) return `files:${config.files.join(",")}`;
  return "system";
}
