// Validate a raw config against a schema composed at call time from the kinds (the registries) and the
// section schemas, collecting every issue instead of stopping at the first.
import os from "node:os";
import path from "node:path";
import * as z from "zod";
import { ruleSchema } from "../rules/schema.js";
import { plainRule } from "../rules/plain-rule.js";
import { statsJobSchema } from "../stats/schema.js";
import { rotateJobSchema } from "../rotate/schema.js";
import { webSchema } from "../web/schema.js";
import type { ActionConfig, Config, ParserRef, SourceConfig } from "./types.js";
import { fromZod, typeName, type PathSegment, type RawIssue } from "./issues.js";
import type { Env } from "./env.js";
import { expandHome } from "../core/paths.js";
import { zDuration } from "../core/schema.js";
import { kindOf, registeredKinds, type ConfigKinds } from "./kinds.js";

export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

type SectionName = "sources" | "rules" | "stats" | "actions" | "rotate";

function topLevelSchema() {
  const map = z.record(z.string(), z.unknown()).nullish();
  return z.strictObject({
    state_dir: z.string().min(1).optional(),
    log: z
      .strictObject({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        file: z.string().min(1).optional(),
        format: z.enum(["json", "pretty"]).optional(),
      })
      .nullish(),
    pid_file: z.string().min(1).optional(),
    drain_timeout: zDuration.optional(),
    sources: map,
    rules: map,
    stats: map,
    actions: map,
    rotate: map,
    web: z.unknown().optional(),
  });
}

/** Validate everything; the config is complete only when no issue was found. */
export function validateRaw(
  raw: unknown,
  env: Env,
  kinds: ConfigKinds = registeredKinds,
): { config: Config; issues: RawIssue[] } {
  const issues: RawIssue[] = [];
  const top = topLevelSchema().safeParse(raw ?? {}, { reportInput: true });
  if (!top.success) issues.push(...fromZod(top.error.issues));
  const input = (isPlainObject(raw) ? raw : {}) as Record<string, unknown>;
  const log = top.success ? top.data.log : undefined;
  const config: Config = {
    state_dir: expandHome(top.data?.state_dir ?? defaultStateDir(env), env),
    log: {
      level: log?.level ?? "info",
      ...(log?.file ? { file: expandHome(log.file, env) } : {}),
      ...(log?.format ? { format: log.format } : {}),
    },
    ...(top.data?.pid_file ? { pid_file: expandHome(top.data.pid_file, env) } : {}),
    ...(top.data?.drain_timeout !== undefined ? { drain_timeout: top.data.drain_timeout } : {}),
    sources: section(input, "sources", issues, (value, at, out) => validateSource(value, at, out, kinds)),
    // Most rules are plain and valid: checked without zod; anything else goes to the schema, which reports it.
    rules: section(
      input,
      "rules",
      issues,
      (value, at, out) => plainRule(value) ?? parseWith(ruleSchema, value, at, out),
    ),
    stats: section(input, "stats", issues, (value, at, out) => parseWith(statsJobSchema, value, at, out)),
    actions: section(input, "actions", issues, (value, at, out) => validateAction(value, at, out, kinds)),
    rotate: section(input, "rotate", issues, (value, at, out) => parseWith(rotateJobSchema, value, at, out)),
  };
  if (input.web !== undefined) {
    // Absent: no web server. `web:` alone (null): the server with its defaults.
    const web = parseWith(webSchema, input.web ?? {}, ["web"], issues);
    if (web) config.web = web;
  }
  return { config, issues };
}

type EntryValidator<T> = (value: unknown, at: PathSegment[], issues: RawIssue[]) => T | undefined;

/** One named section (sources, rules...): check each name and validate each entry. */
function section<T>(
  input: Record<string, unknown>,
  key: SectionName,
  issues: RawIssue[],
  validate: EntryValidator<T>,
): Record<string, T> {
  const out: Record<string, T> = {};
  const entries = input[key];
  if (!isPlainObject(entries)) return out; // absent, null, or already reported by the top-level schema
  for (const [name, value] of Object.entries(entries)) {
    if (!NAME_PATTERN.test(name)) {
      issues.push({
        path: [key, name],
        message: `invalid name "${name}": use only letters, digits, "_", "." and "-"`,
        atKey: true,
      });
    }
    const parsed = validate(value, [key, name], issues);
    if (parsed !== undefined) out[name] = parsed;
  }
  return out;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, at: PathSegment[], issues: RawIssue[]): T | undefined {
  let result: z.ZodSafeParseResult<T>;
  try {
    result = schema.safeParse(value, { reportInput: true });
  } catch (err) {
    // A kind's transform that throws instead of adding an issue is still the user's value at fault.
    issues.push({ path: at, message: (err as Error).message });
    return undefined;
  }
  if (result.success) return result.data;
  issues.push(...fromZod(result.error.issues, at));
  return undefined;
}

/** An entry as a fresh object, ready to have its generic keys (`type`, `parser`) taken off. */
function splitEntry(value: unknown, at: PathSegment[], issues: RawIssue[]): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return { ...value };
  issues.push({ path: at, message: `Expected object, received ${typeName(value)}` });
  return undefined;
}

function validateSource(
  value: unknown,
  at: PathSegment[],
  issues: RawIssue[],
  kinds: ConfigKinds,
): SourceConfig | undefined {
  const entry = splitEntry(value, at, issues);
  if (!entry) return undefined;
  const { type = "file", parser, ...rest } = entry;
  const kind = lookupKind(type, [...at, "type"], issues, "source", kinds.sources);
  const parserRef = parser === undefined ? undefined : validateParser(parser, [...at, "parser"], issues, kinds);
  if (!kind) return undefined;
  const options = parseWith(kind.schema, rest, at, issues) as Record<string, unknown> | undefined;
  if (!options || (parser !== undefined && !parserRef)) return undefined;
  return { type: kind.type, ...(parserRef ? { parser: parserRef } : {}), ...options };
}

/** `parser: combined` or `parser: { type: json, ...options }`, always `{ type, ...options }` after. */
function validateParser(
  value: unknown,
  at: PathSegment[],
  issues: RawIssue[],
  kinds: ConfigKinds,
): ParserRef | undefined {
  const entry = typeof value === "string" ? { type: value } : splitEntry(value, at, issues);
  if (!entry) return undefined;
  const { type, ...rest } = entry;
  const typeAt = typeof value === "string" ? at : [...at, "type"];
  const kind = lookupKind(type, typeAt, issues, "parser", kinds.parsers);
  if (!kind) return undefined;
  const options = parseWith(kind.schema, rest, at, issues) as Record<string, unknown> | undefined;
  return options ? { type: kind.type, ...options } : undefined;
}

function validateAction(
  value: unknown,
  at: PathSegment[],
  issues: RawIssue[],
  kinds: ConfigKinds,
): ActionConfig | undefined {
  const entry = splitEntry(value, at, issues);
  if (!entry) return undefined;
  const { type, ...rest } = entry;
  const kind = lookupKind(type, [...at, "type"], issues, "action", kinds.actions);
  if (!kind) return undefined;
  const options = parseWith(kind.schema, rest, at, issues) as Record<string, unknown> | undefined;
  return options ? { type: kind.type, ...options } : undefined;
}

/** Find the kind named by `type`, or report what is wrong with it and which types exist. */
function lookupKind<K extends { type: string }>(
  type: unknown,
  at: PathSegment[],
  issues: RawIssue[],
  what: string,
  registry: readonly K[],
): K | undefined {
  const known = registry.map((k) => k.type);
  const choices = known.length ? `known ${what} types: ${known.join(", ")}` : `no ${what} types are registered`;
  if (type === undefined) {
    issues.push({ path: at, message: `Required: the ${what} type (${choices})` });
    return undefined;
  }
  const kind = typeof type === "string" ? kindOf(registry, type) : undefined;
  if (!kind) issues.push({ path: at, message: `unknown ${what} type ${JSON.stringify(type)} (${choices})` });
  return kind;
}

export function defaultStateDir(env: Env): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "logward");
  return path.join(homeDir(env), ".local", "state", "logward");
}

function homeDir(env: Env): string {
  return env.HOME || os.homedir();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
