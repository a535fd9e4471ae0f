// Path patterns: `~/` expansion, globs with *, ?, [..], {a,b} and ** compiled to per-segment matchers.
import os from "node:os";
import path from "node:path";

export type Segment = { kind: "literal"; value: string } | { kind: "pattern"; re: RegExp } | { kind: "globstar" };

/** A glob split into the directory where walking starts and the segments below it. */
export interface Glob {
  /** The pattern as configured (after `~/` expansion and making it absolute). */
  text: string;
  base: string;
  segments: Segment[];
}

const WILDCARD = /[*?[{]/;

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
  const base = "/" + parts.slice(0, cut).join("/");
  const segments = parts.slice(cut).map(compileSegment);
  return { text: absolute, base, segments };
}

function compileSegment(part: string): Segment {
  if (part === "**") return { kind: "globstar" };
  if (!hasWildcard(part)) return { kind: "literal", value: part };
  // Like a shell, a wildcard does not match a leading dot unless the pattern starts with one.
  const hidden = part.startsWith(".") ? "" : "(?!\\.)";
  return { kind: "pattern", re: new RegExp(`^${hidden}${segmentSource(part)}$`) };
}

/** The regex source of one glob segment. */
function segmentSource(part: string): string {
  let out = "";
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const end = part.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        const body = part
          .slice(i + 1, end)
          .replace(/^[!^]/, "^")
          .replace(/\\/g, "\\\\");
        out += `[${body}]`;
        i = end;
      }
    } else if (ch === "{") {
      const end = part.indexOf("}", i);
      if (end < 0) out += "\\{";
      else {
        out += `(?:${part
          .slice(i + 1, end)
          .split(",")
          .map(segmentSource)
          .join("|")})`;
        i = end;
      }
    } else out += ch.replace(/[.+^$()|\\\]}]/g, "\\$&");
  }
  return out;
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
