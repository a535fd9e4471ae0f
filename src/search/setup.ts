// What a search is made of: the files of each path, the pattern as rules compile it, the parser, the time bounds.
import { stat } from "node:fs/promises";
import type { Parser } from "../core/component.js";
import { UserError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { parsePattern } from "../core/pattern.js";
import { parseDuration } from "../core/units.js";
import { findParserKind } from "../parsers/index.js";
import { compileMatcher } from "../rules/matcher.js";
import { filesToSearch, type SearchFile } from "./archives.js";
import type { BatchMatcher } from "./scan.js";

/** The pattern read case-insensitively: a literal becomes /escaped/i, a regex gets the `i` flag. */
export function ignoringCase(text: string): string {
  const pattern = parsePattern(text);
  if (pattern.kind === "literal") return `/${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/i`;
  const slash = text.startsWith("/") ? text.lastIndexOf("/") : -1;
  if (slash > 0) return text.slice(slash + 1).includes("i") ? text : `${text}i`;
  return `/${text.slice(1, -1)}/i`; // |re| or %re%
}

/**
 * Patterns the user wrote (a line matches any of them): compiled as a rule's match list (a backtracking regex
 * falls back to linear time), tested in place.
 */
export function trustedMatcher(patterns: readonly string[], ignoreCase = false): BatchMatcher {
  const matcher = compileMatcher(
    patterns.map((text) => (ignoreCase ? ignoringCase(text) : text)),
    undefined,
  );
  return {
    literals: matcher.required,
    test: (lines) => lines.map((line) => matcher.match(line) !== undefined),
  };
}

/**
 * A parser by its config entry ({ type, ...options }): `validated` when it comes from a loaded config, else its
 * options get the schema's defaults. An unknown type is the user's mistake.
 */
export function createParser(ref: { type: string; [key: string]: unknown }, logger: Logger, validated = false): Parser {
  const kind = findParserKind(ref.type);
  if (!kind) throw new UserError("USAGE", `unknown parser "${ref.type}"`);
  const { type: _type, ...options } = ref;
  return kind.create(validated ? options : kind.schema.parse(options), { logger });
}

/**
 * A time bound: an ISO 8601 date or date-time (local time when it names no zone, as `date -d` reads it), or a
 * duration meaning that long before now (`2h`, `7d`).
 */
export function parseTimeBound(flag: string, text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00` : text);
    if (Number.isFinite(ms)) return ms;
    throw new UserError("USAGE", `${flag}: "${text}" is not a valid date or time`);
  }
  try {
    return now - parseDuration(text);
  } catch (err) {
    throw new UserError("USAGE", `${flag}: "${text}" is neither a date (2026-12-01T10:00) nor a duration (2h)`, {
      cause: err,
    });
  }
}

/** Every path's archives and the path itself, oldest first per path; a path with neither is an error. */
export async function searchTargets(paths: readonly string[], followLinks = true): Promise<SearchFile[]> {
  const seen = new Set<string>();
  const all: SearchFile[] = [];
  for (const p of paths) {
    const files = await filesToSearch(p, { followLinks });
    if (files.length === 0) {
      const isDir = (await stat(p).catch(() => undefined))?.isDirectory() === true;
      throw new UserError("USAGE", isDir ? `${p} is a directory` : `${p}: no such file, and no rotated archive of it`);
    }
    for (const f of files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      all.push(f);
    }
  }
  return all;
}
