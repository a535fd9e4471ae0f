// The resolved pipeline as text for `logward check`: what reads, what matches, what acts — no secrets.
import * as z from "zod";
import { ruleSchema } from "../rules/schema.js";
import { statsJobSchema } from "../stats/schema.js";
import { rotateJobSchema } from "../rotate/schema.js";
import { webSchema } from "../web/schema.js";
import { zDuration, zSize } from "../core/schema.js";
import { formatDuration } from "../core/units.js";
import { parsePattern } from "../core/pattern.js";
import { maskValue } from "./mask.js";
import { kindOf, registeredKinds, type ConfigKinds } from "./kinds.js";
import type { Config, ParserRef } from "./types.js";

/** Human-readable summary of a validated config, without a trailing newline. */
export function formatConfig(config: Config, kinds: ConfigKinds = registeredKinds): string {
  const out: string[] = [];
  if (config.path) out.push(`config     ${config.path}`);
  out.push(`state_dir  ${config.state_dir}`);
  const log = [config.log.level, config.log.file ? `to ${config.log.file}` : "to stderr", config.log.format].filter(
    Boolean,
  );
  out.push(`log        ${log.join(", ")}`);
  if (config.pid_file) out.push(`pid_file   ${config.pid_file}`);
  if (config.drain_timeout !== undefined)
    out.push(`drain      up to ${formatDuration(config.drain_timeout)} at a stop`);
  out.push(
    ...block(
      "sources",
      Object.entries(config.sources).map(([name, s]) => [name, sourceLine(s, kinds)]),
    ),
  );
  out.push(
    ...block(
      "rules",
      Object.entries(config.rules).map(([name, r]) => [name, ruleLine(r)]),
    ),
  );
  out.push(
    ...block(
      "stats",
      Object.entries(config.stats).map(([name, s]) => [name, statsLine(s)]),
    ),
  );
  out.push(
    ...block(
      "actions",
      Object.entries(config.actions).map(([name, a]) => [name, actionLine(a, kinds)]),
    ),
  );
  out.push(
    ...block(
      "rotate",
      Object.entries(config.rotate).map(([name, r]) => [name, rotateLine(r)]),
    ),
  );
  out.push("");
  if (config.web) {
    const { auth, token: given, token_file } = config.web;
    const token = auth === "none" ? "no token" : given || token_file ? "token required" : "token made at start";
    const rest = settings(config.web, schemaShape(webSchema), ["listen", "token", "token_file", "auth"]);
    out.push(`web        listen ${config.web.listen}, ${token}${rest ? `, ${rest}` : ""}`);
  } else {
    out.push("web        off");
  }
  return out.join("\n"); // hints are the caller's to show (a warning, not part of the pipeline)
}

/** A titled, aligned list: `rules (2)` then one indented line per entry. */
function block(title: string, rows: [string, string][]): string[] {
  if (rows.length === 0) return ["", `${title} (none)`];
  const width = Math.max(...rows.map(([name]) => name.length));
  return ["", `${title} (${rows.length})`, ...rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`.trimEnd())];
}

type Entry = Record<string, unknown>;

function sourceLine(source: Entry & { type: string; parser?: ParserRef }, kinds: ConfigKinds): string {
  const shape = schemaShape(kindOf(kinds.sources, source.type)?.schema);
  const parts = [source.type.padEnd(7)];
  if (source.parser) parts.push(`parser=${parserText(source.parser, kinds)}`);
  parts.push(settings(source, shape, ["type", "parser"]));
  return parts.filter(Boolean).join(" ");
}

function parserText(parser: ParserRef, kinds: ConfigKinds): string {
  const options = settings(parser, schemaShape(kindOf(kinds.parsers, parser.type)?.schema), ["type"]);
  return options ? `${parser.type}(${options})` : parser.type;
}

function actionLine(action: Entry & { type: string }, kinds: ConfigKinds): string {
  const shape = schemaShape(kindOf(kinds.actions, action.type)?.schema);
  return [action.type.padEnd(7), settings(action, shape, ["type"])].filter(Boolean).join(" ");
}

function ruleLine(rule: Config["rules"][string]): string {
  const r = rule as Entry & typeof rule;
  const parts = [`${r.source.join(", ")} → ${r.actions.join(", ")}`];
  parts.push(r.match ? `match ${r.match.map(patternText).join(" or ")}` : "every line");
  if (r.exclude) parts.push(`except ${r.exclude.map(patternText).join(" or ")}`);
  if (r.threshold) parts.push(`threshold ${r.threshold.count} within ${formatDuration(r.threshold.within)}`);
  if (r.cooldown) parts.push(`cooldown ${formatDuration(r.cooldown)}`);
  const rest = settings(r, schemaShape(ruleSchema), ["source", "actions", "match", "exclude", "threshold", "cooldown"]);
  return [...parts, rest].filter(Boolean).join(", ");
}

function statsLine(job: Config["stats"][string]): string {
  const j = job as Entry & typeof job;
  const parts = [
    `${j.source} → ${j.actions?.join(", ") ?? "(report only)"}`,
    `every ${formatDuration(j.interval)}`,
    `top ${j.top}`,
  ];
  if (j.alert) parts.push(`alert above ${j.alert.above} req/s over ${formatDuration(j.alert.over)}`);
  const rest = settings(j, schemaShape(statsJobSchema), ["source", "actions", "interval", "top", "alert"]);
  return [...parts, rest].filter(Boolean).join(", ");
}

function rotateLine(job: Config["rotate"][string]): string {
  const j = job as Entry & typeof job;
  return [j.path, settings(j, schemaShape(rotateJobSchema), ["path"])].filter(Boolean).join("  ");
}

// ---- values --------------------------------------------------------------------------------

type Shape = Record<string, unknown>;

/** `key=value` pairs of an entry, secrets masked, durations and sizes in their units. */
function settings(entry: Entry, shape: Shape, skip: string[]): string {
  return Object.entries(entry)
    .filter(([key, value]) => !skip.includes(key) && value !== undefined)
    .map(([key, value]) => `${key}=${show(maskValue(key, value), shape[key])}`)
    .join(" ");
}

function show(value: unknown, schema: unknown): string {
  const unit = unitOf(schema);
  if (typeof value === "number" && unit === "duration") return formatDuration(value);
  if (typeof value === "number" && unit === "size") return formatSize(value);
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return value.map((item) => show(item, undefined)).join(",");
  if (typeof value === "object" && value !== null) return `{${settings(value as Entry, schemaShape(schema), [])}}`;
  return String(value);
}

/** A regex shows as written (its delimiters mark it); a literal is quoted when it has spaces. */
function patternText(text: string): string {
  return parsePattern(text).kind === "regex" ? text : quote(text);
}

function quote(text: string): string {
  return /^[^\s"'=,{}]+$/.test(text) ? text : JSON.stringify(text);
}

type Def = { type?: string; innerType?: unknown; out?: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { def?: Def } | undefined)?.def;

/** Strip optional/default/nullable wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    const def = defOf(current);
    if (
      !def?.innerType ||
      !["optional", "default", "nullable", "prefault", "readonly", "catch"].includes(def.type ?? "")
    )
      break;
    current = def.innerType;
  }
  return current;
}

/**
 * Built on the shared zDuration / zSize? A refined copy keeps their transform, and a kind may pipe
 * them into a further check (`zDuration.pipe(z.number().positive())`), so follow pipes inwards.
 */
function unitOf(schema: unknown, depth = 0): "duration" | "size" | undefined {
  const def = defOf(unwrap(schema)) as (Def & { in?: unknown }) | undefined;
  if (!def || def.type !== "pipe" || depth > 8) return undefined;
  if (def.out !== undefined && def.out === defOf(zDuration)?.out) return "duration";
  if (def.out !== undefined && def.out === defOf(zSize)?.out) return "size";
  return unitOf(def.in, depth + 1);
}

function schemaShape(schema: unknown): Shape {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Shape) : {};
}

const SIZE_UNITS: [string, number][] = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
  ["GB", 1000 ** 3],
  ["MB", 1000 ** 2],
  ["KB", 1000],
];

/** Bytes in the largest unit that divides them exactly. */
export function formatSize(bytes: number): string {
  const unit = SIZE_UNITS.find(([, factor]) => bytes >= factor && bytes % factor === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : `${bytes}B`;
}
