// A configured file source as a search sees it: the files its paths name now, its parser, multiline and line cap.
import { UserError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { parsePattern, type Pattern } from "../core/pattern.js";
import type { Parser } from "../core/component.js";
import { PathMatcher } from "../sources/file/discover.js";
import { expandPath, hasWildcard } from "../sources/file/glob.js";
import { createParser } from "./setup.js";

/** What a search takes from a source: where its files are and how its lines are read. */
export interface SourceSearchSetup {
  paths: string[];
  parser: Parser | undefined;
  multiline: Pattern | undefined;
  maxLineBytes: number;
  /** The source's follow_symlinks: whether an archive that is a link is read. */
  followLinks: boolean;
}

interface FileSourceShape {
  type: string;
  path?: unknown;
  exclude?: unknown;
  recursive?: unknown;
  follow_symlinks?: unknown;
  multiline?: { start?: unknown };
  max_line_bytes?: unknown;
  parser?: { type: string; [key: string]: unknown };
}

/** The setup of a configured (validated) source; only file sources have files to search. */
export async function sourceSearchSetup(name: string, config: unknown, logger: Logger): Promise<SourceSearchSetup> {
  const source = config as FileSourceShape | undefined;
  if (!source) throw new UserError("USAGE", `no source named ${name} in the config`);
  if (source.type !== "file")
    throw new UserError("USAGE", `source ${name} is a ${source.type} source: only file sources can be searched`);
  const start = source.multiline?.start;
  return {
    paths: await sourcePaths(source),
    parser: source.parser ? createParser(source.parser, logger, true) : undefined,
    multiline: typeof start === "string" ? parsePattern(start) : undefined,
    maxLineBytes: typeof source.max_line_bytes === "number" ? source.max_line_bytes : 1024 * 1024,
    followLinks: source.follow_symlinks === true,
  };
}

/** A file path stands for itself (its archives are found beside it); a glob or a directory for what it holds now. */
async function sourcePaths(source: FileSourceShape): Promise<string[]> {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
  const out: string[] = [];
  for (const text of list(source.path)) {
    const absolute = expandPath(text);
    const matcher = new PathMatcher(
      [text],
      list(source.exclude),
      source.recursive === true,
      source.follow_symlinks === true,
    );
    if (!hasWildcard(absolute) && !(await isDirectory(absolute))) out.push(absolute);
    else out.push(...(await matcher.discover()).files.map((f) => f.path).sort());
  }
  return out;
}

async function isDirectory(p: string): Promise<boolean> {
  const { stat } = await import("node:fs/promises");
  return (await stat(p).catch(() => undefined))?.isDirectory() === true;
}
