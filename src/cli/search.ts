// `logward search`: declares the command; the search itself (archives, decompression, parsers) loads when it runs.
import type { Command } from "commander";

export interface SearchFlags {
  match: string[];
  since?: string;
  until?: string;
  source?: string;
  config?: string;
  parser?: string;
  ignoreCase?: boolean;
  count?: boolean;
  limit?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerSearch(program: Command): void {
  program
    .command("search")
    .description("search files with their rotated archives (.gz, .zst), oldest first, like grep")
    .argument("[path...]", "files to search, each with its rotated archives (or --source)")
    .option("-m, --match <pattern>", "literal, /re/flags, |re| or %re% (repeatable: any of them)", collect, [])
    .option("--since <time>", "only lines at or after TIME: 2026-12-01T10:00, or a duration before now (2h, 7d)")
    .option("--until <time>", "only lines at or before TIME (same forms as --since)")
    .option("--source <name>", "search this configured file source: its paths, parser and multiline")
    .option("-c, --config <file>", "config file for --source")
    .option("--parser <type>", "parse lines for their time: common|combined|json|logfmt|w3c-csv|auto")
    .option("-i, --ignore-case", "match ignoring case")
    .option("--count", "print the number of matching lines (per file when several)")
    .option("--limit <n>", "stop after N matching lines")
    .option("--json", "one JSON object per match, in the wire form of the file action")
    .action(async (paths: string[], flags: SearchFlags, command: Command) =>
      (await import("../search/cli-run.js")).runSearch(command, paths, flags),
    );
}
