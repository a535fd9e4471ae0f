// What `logward search` runs: grep's output and exit codes over a file and its rotated archives.
import type { Command } from "commander";
import type { Parser } from "../core/component.js";
import { UserError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Pattern } from "../core/pattern.js";
import { isoTime } from "../core/wire.js";
import type { SearchFlags } from "../cli/search.js";
import { loggerFor, reportFatal } from "../cli/common.js";
import { searchFiles, type ScanOptions, type SearchHit, type SearchSummary } from "./scan.js";
import { createParser, parseTimeBound, searchTargets, trustedMatcher } from "./setup.js";

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

interface Plan {
  paths: string[];
  source: string;
  parser: Parser | undefined;
  multiline: Pattern | undefined;
  maxLineBytes: number;
}

/** Exit 0 when a line matched, 1 when none did, 2 on a usage error or when a file could not be read whole. */
export async function runSearch(command: Command, paths: string[], flags: SearchFlags): Promise<void> {
  const logger = loggerFor(command);
  let summary: SearchSummary;
  try {
    summary = await search(paths, flags, logger);
  } catch (err) {
    reportFatal(err);
    process.exitCode = 2; // grep's code for trouble, whatever kind
    return;
  }
  const failed = summary.files.some((f) => f.error !== undefined);
  process.exitCode = failed ? 2 : summary.matches > 0 ? 0 : 1;
}

async function search(paths: string[], flags: SearchFlags, logger: Logger): Promise<SearchSummary> {
  if (flags.match.length === 0) throw new UserError("USAGE", "search needs a -m PATTERN");
  const plan = await planOf(paths, flags, logger);
  const now = Date.now();
  const since = flags.since === undefined ? undefined : parseTimeBound("--since", flags.since, now);
  const until = flags.until === undefined ? undefined : parseTimeBound("--until", flags.until, now);
  if ((since !== undefined || until !== undefined) && !plan.parser)
    throw new UserError("USAGE", "--since/--until need the lines' time: give --parser TYPE or --source NAME");
  const files = await searchTargets(plan.paths);
  const options: ScanOptions = {
    matcher: trustedMatcher(flags.match, flags.ignoreCase),
    maxLineBytes: plan.maxLineBytes,
    source: plan.source,
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(plan.parser ? { parser: plan.parser } : {}),
    ...(plan.multiline ? { multiline: plan.multiline } : {}),
    ...(flags.limit !== undefined ? { limit: wholeNumber("--limit", flags.limit) } : {}),
  };
  const out = new Output(files.length > 1, flags, plan.source);
  const summary = await searchFiles(files, options, (hit) => out.hit(hit));
  // Said as grep says its trouble: on stderr, one line per file, whatever the log format.
  for (const file of summary.files) {
    if (file.skipped) process.stderr.write(`logward search: ${file.path}: skipped: ${file.skipped}\n`);
    if (file.error)
      process.stderr.write(`logward search: ${file.path}: ${file.error}: the lines before it were searched\n`);
  }
  await out.end(summary);
  return summary;
}

async function planOf(paths: string[], flags: SearchFlags, logger: Logger): Promise<Plan> {
  if (flags.source === undefined) {
    if (paths.length === 0) throw new UserError("USAGE", "search needs a PATH (or --source NAME)");
    const parser = flags.parser ? createParser({ type: flags.parser }, logger) : undefined;
    return { paths, source: "search", parser, multiline: undefined, maxLineBytes: DEFAULT_MAX_LINE_BYTES };
  }
  if (paths.length > 0) throw new UserError("USAGE", "give PATHs or --source, not both");
  const [{ loadConfig, resolveConfigPath }, { sourceSearchSetup }] = await Promise.all([
    import("../config/load.js"),
    import("./source-config.js"),
  ]);
  const config = await loadConfig(resolveConfigPath(flags.config));
  const setup = await sourceSearchSetup(flags.source, config.sources[flags.source], logger);
  const parser = flags.parser ? createParser({ type: flags.parser }, logger) : setup.parser;
  return { ...setup, parser, source: flags.source };
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n))
    throw new UserError("USAGE", `${flag}: "${text}" is not a whole number`);
  return n;
}

/** grep's forms: the line, `file:line` when several files are searched, counts with --count; JSON lines with --json. */
class Output {
  private buffer = "";

  constructor(
    private readonly named: boolean,
    private readonly flags: SearchFlags,
    private readonly source: string,
  ) {}

  async hit(hit: SearchHit): Promise<void> {
    if (this.flags.count) return;
    this.buffer += this.flags.json ? this.json(hit) : this.named ? `${hit.file}:${hit.line}\n` : `${hit.line}\n`;
    if (this.buffer.length >= 64 * 1024) await this.flush();
  }

  async end(summary: SearchSummary): Promise<void> {
    if (this.flags.count) {
      const counted = summary.files.filter((f) => !f.skipped);
      this.buffer += this.named ? counted.map((f) => `${f.path}:${f.matches}\n`).join("") : `${summary.matches}\n`;
    }
    await this.flush();
  }

  private json(hit: SearchHit): string {
    const time = hit.time === undefined ? null : isoTime(hit.time);
    const { file, offset, line, fields } = hit;
    return `${JSON.stringify({ time, source: this.source, file, offset, line, rule: "search", fields })}\n`;
  }

  /** Write and wait for the pipe to take it: a slow reader slows the search, memory stays bounded. */
  private async flush(): Promise<void> {
    if (this.buffer === "") return;
    const text = this.buffer;
    this.buffer = "";
    if (process.stdout.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.stdout.off("drain", done);
        process.stdout.off("error", done);
        resolve();
      };
      process.stdout.once("drain", done);
      process.stdout.once("error", done);
    });
  }
}
