// A config written as JSON, read with JSON.parse instead of the YAML parser (many times slower on a long rule list).
import { interpolate, type Env } from "./env.js";

/**
 * The config's value with `${VAR}` interpolated in every string value, as interpolateDocument does for a JSON
 * document (keys stay as they are; a quoted string is never retyped). undefined when the text is not one JSON
 * object, when an object names a key twice (JSON.parse would keep the last silently), or when a reference does not
 * resolve: the YAML path then reads the file and reports each problem with its line and column.
 */
export function readJsonConfig(text: string, env: Env): Record<string, unknown> | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (countKeys(value) !== countKeyTokens(text)) return undefined;
  } catch {
    return undefined; // not JSON (YAML, or a mistake the YAML path places), or nested too deep to walk here
  }
  return interpolateStrings(value, env) ? (value as Record<string, unknown>) : undefined;
}

/** Keys of every object in a parsed value. */
function countKeys(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) for (const item of value) count += countKeys(item);
  else for (const [, item] of Object.entries(value)) count += 1 + countKeys(item);
  return count;
}

/** Strings followed by a colon in a valid JSON text: its keys, duplicates included. */
function countKeyTokens(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    let next = i + 1;
    while (text[next] === " " || text[next] === "\t" || text[next] === "\n" || text[next] === "\r") next++;
    if (text[next] === ":") count++;
  }
  return count;
}

/** Interpolate every string inside objects and arrays in place; false when a reference does not resolve. */
function interpolateStrings(value: unknown, env: Env): boolean {
  if (typeof value !== "object" || value === null) return true;
  const holder = value as Record<string, unknown>;
  for (const key of Object.keys(holder)) {
    const item = holder[key];
    if (typeof item === "string") {
      const result = interpolate(item, env);
      if (!result.ok) return false;
      holder[key] = result.value;
    } else if (!interpolateStrings(item, env)) return false;
  }
  return true;
}
