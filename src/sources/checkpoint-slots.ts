// The checkpoint file's format and validation: a checksum over the sources, every entry checked on its own.
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { Checkpoint } from "../core/checkpoint.js";

/** 2 adds the checksum; files of version 1 (no checksum, nothing else to check) are still read, entry by entry. */
export const FORMAT_VERSION = 2;

export type StoredSources = Record<string, Record<string, Checkpoint>>;

/** What one slot (checkpoints.json or checkpoints.json.prev) held. */
export type Slot =
  | { state: "missing" }
  | { state: "corrupt"; reason: string }
  | { state: "ok"; sources: StoredSources; bad: BadEntry[] };

/** An entry (or a whole source, key undefined) that failed validation, and why. */
export interface BadEntry {
  source: string;
  key?: string;
  reason: string;
}

/** The file's text: the checksum covers exactly the serialised sources, so any changed byte in them is caught. */
export function serialise(sources: StoredSources): string {
  const body = JSON.stringify(sources);
  return `{"version":${FORMAT_VERSION},"checksum":"${checksum(body)}","sources":${body}}\n`;
}

function checksum(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Read and check one slot; only an error other than "not there" reading it throws. */
export async function readSlot(file: string): Promise<Slot> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
    if ((err as NodeJS.ErrnoException).code === "EISDIR") return { state: "corrupt", reason: "is a directory" };
    throw err;
  }
  return parseSlot(text);
}

export function parseSlot(text: string): Slot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { state: "corrupt", reason: `not JSON (${(err as Error).message})` };
  }
  if (!isObject(value) || !isObject(value.sources))
    return { state: "corrupt", reason: "not a logward checkpoint file (no `sources` object)" };
  if (value.checksum !== undefined || typeof value.version !== "number" || value.version >= 2) {
    // Our own output round-trips exactly through parse and stringify, so the sum is over the same text.
    if (typeof value.checksum !== "string") return { state: "corrupt", reason: "no checksum" };
    if (checksum(JSON.stringify(value.sources)) !== value.checksum)
      return { state: "corrupt", reason: "checksum mismatch (the file was changed or damaged)" };
  }
  return validate(value.sources);
}

/** Keep every valid entry; name each invalid one so it can be taken from the other slot. */
function validate(raw: Record<string, unknown>): Slot {
  const sources: StoredSources = {};
  const bad: BadEntry[] = [];
  for (const [source, byKey] of Object.entries(raw)) {
    if (!isObject(byKey)) {
      bad.push({ source, reason: "not an object" });
      continue;
    }
    const good: Record<string, Checkpoint> = {};
    for (const [key, cp] of Object.entries(byKey)) {
      const reason = invalidCheckpoint(cp);
      if (reason) bad.push({ source, key, reason });
      else good[key] = cp as Checkpoint;
    }
    sources[source] = good;
  }
  return { state: "ok", sources, bad };
}

/** Why a stored checkpoint cannot be used, or undefined: an offset must be a whole number of bytes a file can have. */
export function invalidCheckpoint(cp: unknown): string | undefined {
  if (!isObject(cp)) return "not an object";
  const offset = cp.offset;
  if (typeof offset !== "number") return `offset is not a number (${JSON.stringify(offset) ?? "missing"})`;
  if (!Number.isSafeInteger(offset) || offset < 0) return `offset ${offset} is not a whole number of bytes`;
  if (cp.path !== undefined && typeof cp.path !== "string") return "path is not a string";
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
