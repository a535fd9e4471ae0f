// Loading a config: find the file, read YAML/JSON with positions, interpolate the environment,
// validate everything and report every mistake at once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Document, LineCounter } from "yaml";
import { UserError } from "../core/errors.js";
import { crossCheck } from "./crosscheck.js";
import type { SyntaxProblem } from "./document.js";
import { readDotenv, type Env } from "./env.js";
import { readJsonConfig } from "./json.js";
import { ConfigError, formatPath, sortIssues, type ConfigIssue, type PathSegment, type RawIssue } from "./issues.js";
import { convertLegacy, type LegacyConverter } from "./legacy.js";
import { resolveConfigPaths } from "./paths.js";
import type { ConfigKinds } from "./kinds.js";
import { validateRaw } from "./schema.js";
import type { Config } from "./types.js";
import { patternHints } from "../rules/pattern-hints.js";

/** The YAML document helpers, imported when a config needs them (document.ts loads the YAML library). */
type DocumentModule = typeof import("./document.js");

// Commands import the whole config API from here.
export { formatConfig } from "./format.js";
export { ConfigError } from "./issues.js";

/**
 * Where a config is looked for when neither -c nor LOGWARD_CONFIG names one, in order: ./logward.yaml, the user's
 * $XDG_CONFIG_HOME/logward/logward.yaml (default ~/.config; a relative XDG path is ignored, as the spec says), then
 * /etc/logward/logward.yaml.
 */
export function configSearchPath(env: Env = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  const home = env.HOME || safeHomedir();
  const user = xdg ?? (home ? path.join(home, ".config") : undefined);
  return ["logward.yaml", ...(user ? [path.join(user, "logward", "logward.yaml")] : []), "/etc/logward/logward.yaml"];
}

function safeHomedir(): string | undefined {
  try {
    return os.homedir() || undefined;
  } catch {
    return undefined; // a user without a home looks in the other places
  }
}

/** The config to use: the flag, else $LOGWARD_CONFIG, else the first of configSearchPath() that exists. */
export function resolveConfigPath(flag: string | undefined, env: Env = process.env): string {
  const chosen = flag ?? (env.LOGWARD_CONFIG || undefined);
  if (chosen !== undefined) {
    if (fs.existsSync(chosen)) return chosen;
    const how = flag !== undefined ? "" : " (from LOGWARD_CONFIG)";
    throw new UserError("CONFIG_NOT_FOUND", `config file ${chosen}${how} not found`);
  }
  const candidates = configSearchPath(env);
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  const tried = candidates.map((c) => (path.isAbsolute(c) ? c : `./${c}`)).join(", ");
  throw new UserError("CONFIG_NOT_FOUND", `no config file: tried ${tried} (pass -c FILE or set LOGWARD_CONFIG)`);
}

interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  legacyConverters?: readonly LegacyConverter[];
  kinds?: ConfigKinds;
}

/** Read, interpolate and validate a YAML or JSON config file. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<Config> {
  const text = await readConfigFile(file);
  const env = mergeEnv(dotenvBeside(file), options.env ?? process.env);
  return (await loadValidJson(text, file, env, options)) ?? loadDocument(text, file, env, options);
}

/**
 * A JSON config without a mistake, read without the YAML parser. undefined for anything else (YAML, or any issue):
 * loadDocument then reads it again and places every issue at its line.
 */
async function loadValidJson(text: string, file: string, env: Env, options: LoadOptions): Promise<Config | undefined> {
  const json = readJsonConfig(text, env);
  if (!json) return undefined;
  const legacy = await convertLegacy(json, options.legacyConverters);
  const raw = legacy ? legacy.config : json;
  const { config, issues } = validateRaw(raw, env, options.kinds);
  if (issues.length > 0 || crossCheck(raw, config).length > 0) return undefined;
  return finish(config, file, legacy);
}

async function loadDocument(text: string, file: string, env: Env, options: LoadOptions): Promise<Config> {
  // The YAML reader (a large library) only for YAML, or for a JSON config with a mistake to place in it.
  const document = await import("./document.js");
  const { doc, lines, duplicates } = parseOrThrow(text, file, document);
  const { unresolved, retyped } = document.interpolateDocument(doc, env);
  let raw = toJS(doc, file);
  const legacy = await convertLegacy(raw, options.legacyConverters);
  if (legacy) raw = legacy.config;
  const { config, issues } = validateRaw(raw, env, options.kinds);
  // A value whose variable is missing would also fail its schema: report only the missing variable.
  const found = [...issues, ...crossCheck(raw, config)]
    .filter((issue) => !unresolved.some((u) => startsWith(issue.path, u.path)))
    .map((issue) =>
      retyped.some((p) => samePath(p, issue.path)) && /^Expected string/.test(issue.message) ? quoteHint(issue) : issue,
    );
  const inFile = { doc, lines, document };
  const all = [
    ...duplicates,
    ...unresolved.map((issue) => placeIssue(issue, file, inFile)),
    // A converted legacy file has another shape: its key paths do not lead into the document.
    ...found.map((issue) => placeIssue(issue, file, legacy ? undefined : inFile)),
  ];
  if (all.length) throw new ConfigError(sortIssues(all));
  return finish(config, file, legacy);
}

/** The config's own path, its relative paths resolved against its folder, and the hints for the user. */
function finish(config: Config, file: string, legacy: { hint: string } | undefined): Config {
  config.path = path.resolve(file);
  resolveConfigPaths(config, path.dirname(config.path));
  const hints = [...(legacy ? [legacy.hint] : []), ...patternHints(config.rules)];
  if (hints.length) config.hints = hints;
  return config;
}

/** Parse; syntax errors end here (the structure after one is a guess), duplicate keys are kept as issues. */
function parseOrThrow(
  text: string,
  file: string,
  document: DocumentModule,
): { doc: Document; lines: LineCounter; duplicates: ConfigIssue[] } {
  const { doc, lines, problems } = document.parseConfigText(text);
  const placed = problems.map((p) =>
    syntaxIssue(file, p, p.code === "DUPLICATE_KEY" ? duplicateMessage(p) : p.message),
  );
  if (problems.some((p) => p.code !== "DUPLICATE_KEY"))
    throw new ConfigError(capParseIssues(sortIssues(placed), file), { code: "CONFIG_PARSE" });
  return { doc, lines, duplicates: placed };
}

/** Validate a config built in code (watch, forward): the same rules, errors named by key path only. */
export function validateConfig(
  raw: unknown,
  options: { origin?: string; env?: NodeJS.ProcessEnv; kinds?: ConfigKinds } = {},
): Config {
  const { config, issues } = validateRaw(raw, options.env ?? process.env, options.kinds);
  const all = [...issues, ...crossCheck(raw, config)].map((issue) => placeIssue(issue, undefined, undefined));
  if (all.length) throw new ConfigError(all, options.origin !== undefined ? { origin: options.origin } : {});
  return config;
}

async function readConfigFile(file: string): Promise<string> {
  try {
    return (await fs.promises.readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found" : code === "EISDIR" ? "is a directory" : (err as Error).message;
    throw new UserError("CONFIG_NOT_FOUND", `config file ${file}: ${why}`, { cause: err });
  }
}

function dotenvBeside(file: string): Record<string, string> {
  const dotenv = path.join(path.dirname(file), ".env");
  try {
    return readDotenv(dotenv);
  } catch (err) {
    throw new UserError("CONFIG_INVALID", `cannot read ${dotenv}: ${(err as Error).message}`, { cause: err });
  }
}

/** The environment wins over .env; unset entries of the environment do not hide .env values. */
function mergeEnv(dotenv: Record<string, string>, env: NodeJS.ProcessEnv): Env {
  const merged: Env = { ...dotenv };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

function toJS(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError([{ file, path: "", message: (err as Error).message }], { code: "CONFIG_PARSE", cause: err });
  }
}

function duplicateMessage(problem: SyntaxProblem): string {
  return `duplicate key "${String(problem.path.at(-1) ?? "")}": each name may appear only once`;
}

function syntaxIssue(file: string, problem: SyntaxProblem, message = problem.message): ConfigIssue {
  return { file, line: problem.line, column: problem.column, path: formatPath(problem.path), message };
}

function placeIssue(
  issue: RawIssue,
  file: string | undefined,
  place: { doc: Document; lines: LineCounter; document: DocumentModule } | undefined,
): ConfigIssue {
  const placed: ConfigIssue = { path: formatPath(issue.path), message: issue.message };
  if (file !== undefined) placed.file = file;
  const offset = place ? place.document.nodeAt(place.doc, issue.path, issue.atKey)?.range?.[0] : undefined;
  if (place && offset !== undefined) Object.assign(placed, place.document.positionOf(place.lines, offset));
  return placed;
}

/** An unquoted `${VAR}` is typed like a literal: a numeric token became a number. Say how to keep text. */
function quoteHint(issue: RawIssue): RawIssue {
  return { ...issue, message: `${issue.message} (the value came from \${...} unquoted: quote it to keep it a string)` };
}

/** After the first few, syntax errors are echoes of the first one (a binary file gives thousands). */
function capParseIssues(issues: ConfigIssue[], file: string): ConfigIssue[] {
  const MAX = 20;
  if (issues.length <= MAX) return issues;
  return [...issues.slice(0, MAX), { file, path: "", message: `… and ${issues.length - MAX} more syntax errors` }];
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && startsWith(a, b);
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(path[i]) === String(segment));
}
