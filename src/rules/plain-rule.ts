// A rule of the common plain shape validated without zod: a config of a thousand rules spends most of its
// validation in zod's generic machinery. Anything else (a mistake, a rarer key) goes to ruleSchema, which reports it.
import { parsePattern } from "../core/pattern.js";
import { parseDuration } from "../core/units.js";
import type { RuleConfig } from "./schema.js";

/** The keys of ruleSchema in its order: zod's output lists them in this order, and so does plainRule. */
const KEYS = ["source", "match", "exclude", "threshold", "cooldown", "group_by", "max_groups", "actions"] as const;
const KNOWN = new Set<string>(KEYS);

/**
 * What `ruleSchema.parse(value)` returns, for a rule that is valid and uses none of the keys left to zod (`absent`);
 * undefined for anything else, which the caller then validates with ruleSchema. Never a value zod would not give.
 */
export function plainRule(value: unknown): RuleConfig | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const input = value as Record<string, unknown>;
  for (const key in input) if (!KNOWN.has(key) || input[key] === undefined) return undefined;
  const source = nameList(input.source);
  const actions = nameList(input.actions);
  const cooldown = "cooldown" in input ? duration(input.cooldown) : 0;
  if (!source || !actions || cooldown === undefined) return undefined;
  const out: Record<string, unknown> = { source };
  if (!optional(input, "match", patternList, out) || !optional(input, "exclude", patternList, out)) return undefined;
  if (!optional(input, "threshold", threshold, out)) return undefined;
  out.cooldown = cooldown;
  if (!optional(input, "group_by", nameList, out) || !optional(input, "max_groups", positiveInt, out)) return undefined;
  out.actions = actions;
  return out as unknown as RuleConfig;
}

/** Copy `key` parsed by `parse` into `out` when present; false when present and not valid. */
function optional(
  input: Record<string, unknown>,
  key: (typeof KEYS)[number],
  parse: (value: unknown) => unknown,
  out: Record<string, unknown>,
): boolean {
  if (!(key in input)) return true;
  const parsed = parse(input[key]);
  if (parsed === undefined) return false;
  out[key] = parsed;
  return true;
}

/** zNameList: a non-empty string, or a non-empty list of them; always a fresh list. */
function nameList(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.length > 0 ? [value] : undefined;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  for (const item of value) if (typeof item !== "string" || item.length === 0) return undefined;
  return [...(value as string[])];
}

/** zPatternList: a valid pattern, or a non-empty list of them; always a fresh list. */
function patternList(value: unknown): string[] | undefined {
  const list = typeof value === "string" ? [value] : Array.isArray(value) && value.length > 0 ? [...value] : undefined;
  if (!list) return undefined;
  for (const item of list) if (typeof item !== "string" || !validPattern(item)) return undefined;
  return list as string[];
}

function validPattern(text: string): boolean {
  try {
    parsePattern(text);
    return true;
  } catch {
    return false;
  }
}

/** zDuration: a string or a finite number parseDuration accepts, in milliseconds. */
function duration(value: unknown): number | undefined {
  if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

/** z.number().int().positive(). */
function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** `{ count, within }` and nothing else. */
function threshold(value: unknown): { count: number; within: number } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const input = value as Record<string, unknown>;
  for (const key in input) if (key !== "count" && key !== "within") return undefined;
  const count = positiveInt(input.count);
  const within = "within" in input ? duration(input.within) : undefined;
  return count !== undefined && within !== undefined ? { count, within } : undefined;
}
