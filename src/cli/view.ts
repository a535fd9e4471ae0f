// `logward view PATH... [--listen HOST:PORT] [--token TOKEN | --token-file FILE | --no-token]`: tail and serve the web
// UI.
import path from "node:path";
// The config loader, the daemon and the web server are imported when the command runs, not when it is declared.
import type { Command } from "commander";
import { UserError } from "../core/errors.js";
import { checkListenSafety, isLoopback } from "../web/listen.js";

export interface ViewOptions {
  listen: string;
  /** false: --no-token (loopback only). */
  token?: string | false;
  tokenFile?: string;
  fromStart?: boolean;
  newest?: boolean;
  recursive?: boolean;
  history?: string;
  /** Lines before the end each file starts with, like `tail -n` (default 100). */
  lines?: string;
}

const DEFAULT_VIEW_LINES = 100;
/** web.history's default (src/web/schema.ts). */
const DEFAULT_HISTORY = 1000;

/** The config `view` runs: one file source per PATH (so the page can switch between them) and the web server. */
export function viewConfig(
  paths: string[],
  opts: ViewOptions,
  stateDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): unknown {
  if (paths.length === 0) throw new UserError("USAGE", "view needs at least one PATH");
  const noToken = opts.token === false;
  const token = noToken ? "" : (opts.token ?? env.LOGWARD_WEB_TOKEN ?? "");
  const tokenFile = noToken ? undefined : opts.tokenFile;
  const address = checkListenSafety(opts.listen, token || tokenFile || undefined);
  if (noToken && !isLoopback(address.host))
    throw new UserError("USAGE", `--no-token is for loopback addresses only, not ${opts.listen}`);
  const lines = opts.lines === undefined ? DEFAULT_VIEW_LINES : Number(opts.lines);
  if (!Number.isSafeInteger(lines) || lines < 0) {
    throw new UserError("USAGE", `--lines must be a whole number of lines >= 0, got ${opts.lines}`);
  }
  // The page holds what the server keeps: asking for more lines than the default history keeps that many.
  const history = opts.history === undefined ? (lines > DEFAULT_HISTORY ? lines : undefined) : Number(opts.history);
  if (history !== undefined && (!Number.isSafeInteger(history) || history < 1)) {
    throw new UserError("USAGE", `--history must be a whole number of lines >= 1, got ${opts.history}`);
  }
  const sources: Record<string, unknown> = {};
  for (const p of paths) {
    sources[uniqueName(sourceName(p), sources)] = {
      path: p,
      start_at: opts.fromStart ? "beginning" : "end",
      ...(opts.fromStart || lines === 0 ? {} : { start_lines: lines }),
      ...(opts.newest ? { follow: "newest" } : {}),
      ...(opts.recursive ? { recursive: true } : {}),
    };
  }
  return {
    ...(stateDir ? { state_dir: stateDir } : {}),
    sources,
    web: {
      listen: opts.listen,
      ...(token ? { token } : tokenFile ? { token_file: tokenFile } : {}),
      ...(noToken ? { auth: "none" } : {}),
      ...(history !== undefined ? { history } : {}),
    },
  };
}

/** A source name from a path: its last part, with characters config names do not allow replaced. */
export function sourceName(p: string): string {
  const base = path.basename(p.replace(/[/\\]+$/, "")) || "log";
  return base.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

function uniqueName(name: string, taken: Record<string, unknown>): string {
  if (!(name in taken)) return name;
  let i = 2;
  while (`${name}-${i}` in taken) i++;
  return `${name}-${i}`;
}

async function runView(command: Command, paths: string[], opts: ViewOptions): Promise<void> {
  const { validateConfig, runDaemon, globalOptions, loggerForConfig } = await import("./daemon-deps.js");
  const stateDir = globalOptions(command).stateDir;
  const config = validateConfig(viewConfig(paths, opts, stateDir), { origin: "view flags" });
  // Without --state-dir, view writes nothing to disk (its checkpoints stay in memory), its web history neither.
  if (!stateDir && config.web) config.web.keep_history = false;
  const logger = loggerForConfig(command, config);
  const given = config.web?.token || config.web?.token_file;
  const tokenNote = given ? " (first visit: add ?token=YOUR_TOKEN to the address)" : "";
  process.exitCode = await runDaemon(config, {
    logger,
    memoryCheckpoints: !stateDir,
    onStarted: (_pipeline, extras) =>
      process.stderr.write(`logward view: open ${extras.webUrl ?? "(web server not started)"}${tokenNote}\n`),
  });
}

export function registerView(program: Command): void {
  program
    .command("view")
    .description("tail files and show them live in the browser")
    .argument("<path...>", "files, directories or globs (one source each)")
    .option("--listen <host:port>", "address to serve on (a non-loopback address needs a token)", "127.0.0.1:8080")
    .option(
      "--token <token>",
      "require this token (Bearer header, or ?token= once to set a cookie); default $LOGWARD_WEB_TOKEN, " +
        "else a random one made at start (printed in the URL)",
    )
    .option("--token-file <file>", "read the token from this file (its first line)")
    .option("--no-token", "serve without a token (loopback only: any local user or program can read the logs)")
    .option("-n, --lines <n>", `show each file's last N lines on open, like tail -n (default ${DEFAULT_VIEW_LINES})`)
    .option("--from-start", "read the files from their beginning (the page keeps the newest --history lines)")
    .option("--newest", "follow only the newest matching file")
    .option("--recursive", "descend into directories")
    .option("--history <lines>", "lines kept per source for new pages and reconnects (default 1000)")
    .action((paths: string[], opts: ViewOptions, command: Command) => runView(command, paths, opts));
}
