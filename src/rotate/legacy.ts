// Reads the JSON config of the rotation script logward replaces, and says what YAML to use instead.
import path from "node:path";
import { parseStamp, splitName, type ArchiveName } from "./naming.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const LOGWARD_SECTIONS = ["sources", "rules", "stats", "actions", "rotate", "web", "state_dir"];
const LEVELS: Record<string, string> = {
  notset: "debug",
  debug: "debug",
  info: "info",
  warning: "warn",
  warn: "warn",
  error: "error",
  critical: "fatal",
  fatal: "fatal",
};

/**
 * The old script's keys: log_dir, archive_dir, active_log, rotation.max_size_mb, rotation.max_age_days,
 * archival.compress, archival.retention_days, debounce_time, logging.log_file, logging.log_level.
 * Recognised by log_dir + active_log and no logward section; undefined for anything else.
 */
export async function convertLegacyRotateConfig(raw: unknown): Promise<{ config: unknown; hint: string } | undefined> {
  if (!isObj(raw) || typeof raw.log_dir !== "string" || typeof raw.active_log !== "string") return undefined;
  if (LOGWARD_SECTIONS.some((key) => key in raw)) return undefined;
  // The YAML writer only for the hint: a start with a config of today's format does not load it.
  const { stringify } = await import("yaml");
  const rotation = isObj(raw.rotation) ? raw.rotation : {};
  const archival = isObj(raw.archival) ? raw.archival : {};
  const logging = isObj(raw.logging) ? raw.logging : {};

  const job: Obj = { path: path.join(raw.log_dir, raw.active_log) };
  if (typeof raw.archive_dir === "string") job.archive_dir = raw.archive_dir;
  // The script counts megabytes of 1024*1024 bytes.
  if (rotation.max_size_mb !== undefined) job.max_size = `${String(rotation.max_size_mb)}MiB`;
  // The script's max_age_days meant "not modified for N days" (the file's mtime), not the age of its content.
  if (rotation.max_age_days !== undefined) job.max_idle = `${String(rotation.max_age_days)}d`;
  if (archival.compress !== undefined) job.compress = archival.compress;
  if (archival.retention_days !== undefined) job.keep_days = numeric(archival.retention_days);

  const config: Obj = { rotate: { [jobName(raw.active_log)]: job } };
  const log: Obj = {};
  if (typeof logging.log_level === "string")
    log.level = LEVELS[logging.log_level.toLowerCase()] ?? logging.log_level.toLowerCase();
  if (logging.log_file !== undefined) log.file = logging.log_file;
  if (Object.keys(log).length) config.log = log;
  return { config, hint: hintFor(config, raw, stringify) };
}

function numeric(v: unknown): unknown {
  return typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
}

/** A rotate job name from the active log's file name (`app.log` → `app`). */
function jobName(activeLog: string): string {
  const base = path.basename(activeLog).replace(/\.[^.]*$/, "");
  const clean = base.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "");
  return clean || "logs";
}

function hintFor(config: Obj, raw: Obj, stringify: (value: unknown) => string): string {
  const notes: string[] = [];
  if (raw.debounce_time !== undefined) {
    notes.push("debounce_time is not needed any more: logward rotates within about a second of max_size being passed");
  }
  const known = new Set(["log_dir", "archive_dir", "active_log", "rotation", "archival", "debounce_time", "logging"]);
  const ignored = Object.keys(raw).filter((k) => !known.has(k));
  if (ignored.length) notes.push(`ignored keys: ${ignored.join(", ")}`);
  return [
    "this is the old rotation script's JSON config; logward has converted it. Archives are now named",
    "{stem}-{YYYYMMDD-HHmmss}{ext}[.gz]; those the script made ({stem}_{YYYYmmdd_HHMMSS}{ext}.gz) still expire.",
    "Use this logward config instead:",
    "",
    stringify(config).trimEnd(),
    ...(notes.length ? ["", ...notes.map((n) => `note: ${n}`)] : []),
  ].join("\n");
}

/**
 * An archive the old script made of `basename` (`app.log` → `app_YYYYmmdd_HHMMSS.log.gz`, local time), or undefined.
 * Retention counts and expires these with the job's own archives, so they do not stay forever after migrating.
 */
export function parseLegacyArchiveName(basename: string, candidate: string): ArchiveName | undefined {
  const { stem, ext } = splitName(basename);
  if (!candidate.startsWith(`${stem}_`) || !candidate.endsWith(`${ext}.gz`)) return undefined;
  const middle = candidate.slice(stem.length + 1, candidate.length - ext.length - 3);
  const m = /^(\d{8})_(\d{6})$/.exec(middle);
  const stampMs = m ? parseStamp(`${m[1]}-${m[2]}`) : undefined;
  if (stampMs === undefined) return undefined;
  return { name: candidate, base: candidate.slice(0, -3), stampMs, seq: 0, gz: true };
}
