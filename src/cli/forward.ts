// `logward forward`: ship new lines to Discord, Slack or a webhook; also the old Discord log monitor's env vars.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
// The config loader and the daemon are imported when the command runs, not when it is declared.
import type { Command } from "commander";
import { readDotenv } from "../config/env.js";
import { UserError } from "../core/errors.js";

export interface ForwardOptions {
  to?: string;
  type?: string;
  match?: string[];
  newest?: boolean;
  recursive?: boolean;
  rescan?: string;
  batchSize?: string;
  batchTimeout?: string;
  rateLimit?: string;
  maxRetries?: string;
  fromStart?: boolean;
  once?: boolean;
}

/** discord.com or discordapp.com → discord, hooks.slack.com → slack, else http. */
export function typeFromUrl(url: string): "discord" | "slack" | "http" {
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    throw new UserError("USAGE", `--to: not a URL: ${url}`);
  }
  if (/(^|\.)discord(app)?\.com$/.test(host)) return "discord";
  if (host === "hooks.slack.com") return "slack";
  return "http";
}

/** The old monitor's own defaults for a variable it did not find (seconds where a time), not logward's. */
export const EKOS_DEFAULTS = {
  BATCH_SIZE: "10",
  BATCH_TIMEOUT: "30",
  RATE_LIMIT_DELAY: "1.0",
  FILE_CHECK_INTERVAL: "60",
  MAX_RETRIES: "3",
} as const;

/**
 * With no PATH and no --to, the variables of the Discord log monitor people run today, from the
 * environment or a .env in the current folder: it followed the newest .log file of a tree.
 */
export function legacyForwardOptions(env: NodeJS.ProcessEnv): {
  paths: string[];
  opts: ForwardOptions;
  logLevel?: string;
} {
  const dotenvPath = resolve(".env");
  const merged: Record<string, string | undefined> = existsSync(dotenvPath) ? readDotenv(dotenvPath) : {};
  // an empty variable does not hide .env
  for (const [key, value] of Object.entries(env)) if (value) merged[key] = value;
  const dir = merged.EKOS_LOGS_DIRECTORY;
  const url = merged.DISCORD_WEBHOOK_URL;
  if (!dir || !url)
    throw new UserError(
      "USAGE",
      "forward needs PATH... and --to URL (or EKOS_LOGS_DIRECTORY and DISCORD_WEBHOOK_URL in the environment or .env)",
    );
  const pick = (name: keyof typeof EKOS_DEFAULTS) => merged[name] || EKOS_DEFAULTS[name];
  const opts: ForwardOptions = {
    to: url,
    type: "discord",
    newest: true,
    recursive: true,
    batchSize: pick("BATCH_SIZE"),
    batchTimeout: pick("BATCH_TIMEOUT"),
    rateLimit: pick("RATE_LIMIT_DELAY"),
    rescan: pick("FILE_CHECK_INTERVAL"),
    maxRetries: pick("MAX_RETRIES"),
  };
  const level = merged.LOG_LEVEL?.toLowerCase();
  return {
    paths: [join(dir, "**", "*.log")],
    opts,
    ...(level ? { logLevel: legacyLogLevel(level) } : {}),
  };
}

/** The old tool's LOG_LEVEL (Python's names) as a logward level; anything else is a usage error, not pino's. */
function legacyLogLevel(level: string): string {
  const known: Record<string, string> = {
    trace: "trace",
    debug: "debug",
    info: "info",
    warn: "warn",
    warning: "warn",
    error: "error",
    critical: "fatal",
    fatal: "fatal",
    silent: "silent",
  };
  const mapped = known[level];
  if (!mapped) throw new UserError("USAGE", `LOG_LEVEL: unknown level "${level}" (use debug, info, warning, error)`);
  return mapped;
}

/** Where each forward flag lands in the config it builds: a bad value is reported under the flag's name. */
const FLAG_OF_KEY: Record<string, string> = {
  "actions.to.type": "--type",
  "actions.to.url": "--to",
  "actions.to.batch.size": "--batch-size",
  "actions.to.batch.timeout": "--batch-timeout",
  "actions.to.rate_limit": "--rate-limit",
  "actions.to.max_retries": "--max-retries",
  "sources.forward.rescan": "--rescan",
  "sources.forward.path": "PATH",
};

/** A config error whose every issue comes from a flag, told in flags; any other error unchanged. */
export function inFlagTerms(err: unknown): unknown {
  const issues = (err as { issues?: { path: string; message: string }[] }).issues;
  if (!Array.isArray(issues) || !issues.every((issue) => issue.path in FLAG_OF_KEY)) return err;
  const text = issues.map((issue) => `${FLAG_OF_KEY[issue.path]}: ${issue.message}`).join("\n");
  return new UserError("USAGE", text, { cause: err });
}

const numberOrText = (v: string) => (/^\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/** The config forward runs: one file source, one rule (every line, or --match), one network action. */
export function forwardConfig(paths: string[], opts: ForwardOptions, stateDir: string | undefined): unknown {
  if (paths.length === 0 || !opts.to) throw new UserError("USAGE", "forward needs PATH... and --to URL");
  const type = opts.type ?? typeFromUrl(opts.to);
  const batch = {
    ...(opts.batchSize ? { size: Number(opts.batchSize) } : {}),
    ...(opts.batchTimeout ? { timeout: numberOrText(opts.batchTimeout) } : {}),
  };
  return {
    ...(stateDir ? { state_dir: stateDir } : {}),
    sources: {
      forward: {
        path: paths.length === 1 ? paths[0] : paths,
        start_at: opts.fromStart ? "beginning" : "end",
        ...(opts.newest ? { follow: "newest" } : {}),
        ...(opts.recursive ? { recursive: true } : {}),
        ...(opts.rescan ? { rescan: numberOrText(opts.rescan) } : {}),
      },
    },
    rules: {
      forward: {
        source: "forward",
        ...(opts.match && opts.match.length > 0 ? { match: opts.match } : {}),
        actions: ["to"],
      },
    },
    actions: {
      to: {
        type,
        url: opts.to,
        ...(Object.keys(batch).length > 0 ? { batch } : {}),
        ...(opts.rateLimit ? { rate_limit: numberOrText(opts.rateLimit) } : {}),
        ...(opts.maxRetries ? { max_retries: Number(opts.maxRetries) } : {}),
      },
    },
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerForward(program: Command): void {
  program
    .command("forward")
    .description("send new lines to Discord, Slack or a webhook, batched, rate-limited and retried")
    .argument("[path...]", "files, directories or globs")
    .option("--to <url>", "webhook URL")
    .option("--type <type>", "discord|slack|http (default from the URL)")
    .option("--match <pattern>", "only lines matching (repeatable)", collect, [])
    .option("--newest", "follow only the newest matching file")
    .option("--recursive", "descend into directories")
    .option("--rescan <duration>", "how often to look for new files")
    .option("--batch-size <n>", "lines per message batch")
    .option("--batch-timeout <duration>", "send a partial batch after this long")
    .option("--rate-limit <duration>", "minimum gap between requests")
    .option("--max-retries <n>", "retries before a batch goes to the dead-letter file")
    .option("--from-start", "read the files from their beginning")
    .option("--once", "send what the files hold now and exit")
    .action(async (paths: string[], opts: ForwardOptions, command: Command) => {
      const { validateConfig, runDaemon, globalOptions, loggerForConfig } = await import("./daemon-deps.js");
      let effective = { paths, opts };
      if (paths.length === 0 && !opts.to) {
        const legacy = legacyForwardOptions(process.env);
        effective = { paths: legacy.paths, opts: { ...legacy.opts, ...pickFlags(opts) } };
        if (legacy.logLevel && !rootLogLevel(command)) rootOf(command).setOptionValue("logLevel", legacy.logLevel);
      }
      const raw = forwardConfig(effective.paths, effective.opts, globalOptions(command).stateDir);
      let config;
      try {
        config = validateConfig(raw, { origin: "forward flags" });
      } catch (err) {
        throw inFlagTerms(err);
      }
      const logger = loggerForConfig(command, config);
      process.exitCode = await runDaemon(config, { logger, once: effective.opts.once ?? false });
    });
}

function pickFlags(opts: ForwardOptions): ForwardOptions {
  return Object.fromEntries(
    Object.entries(opts).filter(([k, v]) => v !== undefined && !(k === "match" && Array.isArray(v) && v.length === 0)),
  );
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

function rootLogLevel(command: Command): string | undefined {
  return rootOf(command).opts<{ logLevel?: string }>().logLevel;
}
