// Path patterns: `~/` expansion, globs split into segments (picomatch compiles each) and ** walked across folders.
import os from "node:os";
import path from "node:path";
import picomatch from "picomatch";
import { UserError } from "../../core/errors.js";

export type Segment = { kind: "literal"; value: string } | { kind: "pattern"; re: RegExp } | { kind: "globstar" };

/** A glob split into the directory where walking starts and the segments below it. */
export interface Glob {
  /** The pattern as configured (after `~/` expansion and making it absolute). */
  text: string;
  base: string;
  segments: Segment[];
}

/** A wildcard character that is not escaped by a backslash. */
const WILDCARD = /(?<!\\)(?:\\\\)*[*?[{]/;

export function hasWildcard(text: string): boolean {
  return WILDCARD.test(text);
}

/** Expand a leading `~/` (or a lone `~`) to the home directory and make the path absolute. */
export function expandPath(text: string, cwd = process.cwd()): string {
  const home = text === "~" || text.startsWith("~/") ? os.homedir() + text.slice(1) : text;
  return path.resolve(cwd, home);
}

/** Compile an absolute glob: the longest wildcard-free directory prefix becomes the base. */
export function compileGlob(absolute: string): Glob {
  const parts = absolute.split("/").filter((p) => p.length > 0);
  const firstWild = parts.findIndex((p) => hasWildcard(p));
  const cut = firstWild < 0 ? parts.length - 1 : firstWild;
  const base = "/" + parts.slice(0, cut).map(unescapeLiteral).join("/");
  const segments = parts.slice(cut).map(compileSegment);
  return { text: absolute, base, segments };
}

function compileSegment(part: string): Segment {
  if (part === "**") return { kind: "globstar" };
  if (!hasWildcard(part)) return { kind: "literal", value: unescapeLiteral(part) };
  // Like a shell, a wildcard does not match a leading dot unless the pattern starts with one (picomatch's default).
  return { kind: "pattern", re: picomatch.makeRe(literalParens(part), PICOMATCH_OPTIONS) };
}

/**
 * Bash's per-segment rules (`{a,{b,c}}`, `{1..10}`, `[]]`, `\*`, `[[:digit:]]`), without what logward never
 * offered: no extglobs (`@(..)`), no leading `!` negating the whole pattern.
 */
const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = {
  posix: true,
  noextglob: true,
  nonegate: true,
  // picomatch passes (first, last, options) or (first, last, step, options).
  expandRange: (first: string, last: string, ...rest: unknown[]) =>
    rangeSource(first, last, typeof rest[0] === "string" ? rest[0] : undefined),
};

/** The largest `{a..b}` range compiled into alternatives (a bigger one is a config mistake, not a file set). */
const MAX_RANGE = 10_000;

/** The regex source for `{a..b}` or `{a..b..step}`: numbers (zero-padded when an end is) or single letters. */
export function rangeSource(first: string, last: string, step?: string): string {
  const by = Math.max(1, Math.abs(Number.parseInt(step ?? "1", 10)) || 1);
  const numeric = /^-?\d+$/.test(first) && /^-?\d+$/.test(last);
  const letters = /^[A-Za-z]$/.test(first) && /^[A-Za-z]$/.test(last);
  if (!numeric && !letters) return escapeRegex(`{${first}..${last}${step ? `..${step}` : ""}}`);
  const from = numeric ? Number.parseInt(first, 10) : first.charCodeAt(0);
  const to = numeric ? Number.parseInt(last, 10) : last.charCodeAt(0);
  if (Math.abs(to - from) / by > MAX_RANGE)
    throw new UserError("PATTERN_INVALID", `glob range {${first}..${last}} has over ${MAX_RANGE} values`);
  const padded = numeric && (/^-?0\d/.test(first) || /^-?0\d/.test(last));
  const width = padded ? Math.max(first.length, last.length) : 0;
  const values: string[] = [];
  for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? by : -by) {
    values.push(numeric ? String(v).padStart(width, "0") : String.fromCharCode(v));
  }
  return `(?:${values.map(escapeRegex).join("|")})`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Parentheses stay literal characters, as they are in file names (picomatch would read them as a group). */
function literalParens(part: string): string {
  let out = "";
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    if (ch === "\\") {
      out += part.slice(i, i + 2);
      i++;
    } else out += ch === "(" || ch === ")" ? `\\${ch}` : ch;
  }
  return out;
}

/** A segment without wildcards names one entry: its backslash escapes are dropped (`a\*b` is the file `a*b`). */
function unescapeLiteral(part: string): string {
  return part.replace(/\\([*?[\]{}()!\\])/g, "$1");
}

function segmentMatches(segment: Segment, name: string): boolean {
  if (segment.kind === "literal") return segment.value === name;
  if (segment.kind === "pattern") return segment.re.test(name);
  return !name.startsWith(".");
}

/** Whether the path parts below the base match the segments entirely. */
export function matchParts(segments: Segment[], parts: string[], si = 0, pi = 0): boolean {
  if (si === segments.length) return pi === parts.length;
  const segment = segments[si] as Segment;
  if (segment.kind === "globstar") {
    // ** matches zero or more directories.
    for (let k = pi; k <= parts.length; k++) {
      if (matchParts(segments, parts, si + 1, k)) return true;
      if (k < parts.length && !segmentMatches(segment, parts[k] as string)) return false;
    }
    return false;
  }
  if (pi === parts.length) return false;
  return segmentMatches(segment, parts[pi] as string) && matchParts(segments, parts, si + 1, pi + 1);
}

/** Whether a directory (parts below the base) can contain a match, so walking into it is useful. */
export function canDescend(segments: Segment[], parts: string[], si = 0, pi = 0): boolean {
  if (pi === parts.length) return si < segments.length;
  if (si === segments.length) return false;
  const segment = segments[si] as Segment;
  if (segment.kind === "globstar") {
    if (canDescend(segments, parts, si + 1, pi)) return true;
    return segmentMatches(segment, parts[pi] as string) && canDescend(segments, parts, si, pi + 1);
  }
  return segmentMatches(segment, parts[pi] as string) && canDescend(segments, parts, si + 1, pi + 1);
}

/** Whether an absolute path matches the glob. */
export function globMatches(glob: Glob, absolute: string): boolean {
  const rel = path.relative(glob.base, absolute);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return false;
  return matchParts(glob.segments, rel.split("/"));
}

/** An exclude pattern: with a `/` it matches the whole path, otherwise the file name. */
export function compileExclude(text: string): (absolute: string) => boolean {
  if (text.includes("/")) {
    const glob = compileGlob(expandPath(text));
    return (absolute) => globMatches(glob, absolute);
  }
  const segment = compileSegment(text);
  return (absolute) => segmentMatches(segment, path.basename(absolute));
}
