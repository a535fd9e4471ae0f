// What `logward stats` runs: traffic reports and the high-traffic alert for an access log (replayed, followed, or
// stdin).
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { Command } from "commander";
import type { LogEvent } from "../core/event.js";
import type { WriteStream } from "node:tty";
import { systemClock } from "../core/clock.js";
import { UserError } from "../core/errors.js";
import { keepAlive } from "../core/lifetime.js";
import type { Logger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { createStatsJob, type StatsRunner } from "../stats/job.js";
import { LineSplitter, readStream, replayFile, replayStdin } from "../stats/input.js";
import { StatsOutput, type OutputMode } from "../stats/output.js";
import { ProgressBar } from "../stats/progress.js";
import { ACCESS_FORMATS } from "../parsers/formats.js";
import { quickStatsConfig, type StatsFlagInput } from "../stats/flag-config.js";
import type { StatsJobConfig } from "../stats/schema.js";
import { loggerFor } from "./common.js";

export interface StatsFlags {
  format: string;
  accessFormat?: string;
  interval: string;
  window: string;
  threshold: string;
  top: string;
  lateness: string;
  replay?: boolean;
  json?: boolean;
  html?: string;
}

const FLAG_OF: Record<string, string> = {
  format: "--format",
  interval: "--interval",
  window: "--window",
  alert: "--threshold",
  top: "--top",
  lateness: "--lateness",
};

/**
 * The stats job the flags describe; a bad flag is a UserError naming it (exit 2). Only when a flag is
 * not plainly valid is the schema (zod) loaded, to say why.
 */
export async function statsConfigFromFlags(file: string | undefined, flags: StatsFlags): Promise<StatsJobConfig> {
  const number = (flag: string, text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value))
      throw new UserError("USAGE", `${flag}: "${text}" is not a number`);
    return value;
  };
  if (flags.accessFormat !== undefined) await checkAccessFormat(flags.accessFormat);
  const input: StatsFlagInput = {
    source: file ?? "stdin",
    format: flags.accessFormat !== undefined ? "custom" : flags.format,
    ...(flags.accessFormat !== undefined ? { accessFormat: flags.accessFormat } : {}),
    interval: flags.interval,
    window: flags.window,
    top: number("--top", flags.top),
    lateness: flags.lateness,
    alert: { above: number("--threshold", flags.threshold), over: flags.window },
  };
  const quick = quickStatsConfig(input);
  if (quick) return quick;
  const { statsJobSchema } = await import("../stats/schema.js");
  const { accessFormat, ...rest } = input;
  const parsed = statsJobSchema.safeParse(
    accessFormat === undefined ? rest : { ...rest, format: { type: "custom", access_format: accessFormat } },
  );
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = FLAG_OF[String(issue?.path[0])] ?? String(issue?.path.join("."));
  const why =
    flag === "--format" ? `unknown format "${flags.format}" (use ${ACCESS_FORMATS.join(", ")})` : issue?.message;
  throw new UserError("USAGE", `${flag}: ${why ?? "invalid value"}`, { cause: parsed.error });
}

/** A format logward cannot read back is a usage error naming the flag. */
async function checkAccessFormat(text: string): Promise<void> {
  const { compileAccessFormat } = await import("../parsers/access-format.js");
  try {
    compileAccessFormat(text);
  } catch (err) {
    throw new UserError("USAGE", `--access-format: ${(err as Error).message}`, { cause: err });
  }
}

export async function runStats(command: Command, file: string | undefined, flags: StatsFlags): Promise<void> {
  const config = await statsConfigFromFlags(file, flags);
  const logger = loggerFor(command);
  const live = !flags.replay;
  const stdout = process.stdout as NodeJS.WriteStream;
  const mode: OutputMode = flags.json ? "json" : live && stdout.isTTY ? "dashboard" : "text";
  const html = flags.html ? new (await import("../stats/html-collect.js")).ReportCollector() : undefined;
  const output = new StatsOutput(stdout, mode, { title: file ?? "stdin", threshold: config.alert?.above, live });
  // The command writes each report as it comes and never asks the job for its history: keeping
  // 360 of them would only make every report old-generation garbage.
  const emit = (e: LogEvent): void => {
    output.event(e);
    html?.add(e);
  };
  const job = createStatsJob(
    "stats",
    { ...config, history: 1 },
    { clock: systemClock, logger, metrics: new Metrics(), live, emit },
  );
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  stdout.on("error", (err: NodeJS.ErrnoException) =>
    err.code === "EPIPE" ? stop.abort() : logger.error({ err: err.message }, "stdout failed"),
  );
  output.attach(job);
  try {
    if (!live) await replay(file, job, output);
    else if (file) await followFile(file, job, logger, stop.signal);
    else await readInput(job, output, stop.signal);
    job.finish();
    await output.flush();
    if (html && flags.html)
      await (await import("../stats/html-file.js")).writeHtmlReport(flags.html, html, file ?? "stdin");
  } finally {
    job.stop();
    output.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  summarize(job, logger, live);
}

/** --replay: the file (or stdin) from its start at full speed; a progress bar on a terminal's stderr. */
async function replay(file: string | undefined, job: StatsRunner, output: StatsOutput): Promise<void> {
  const splitter = new LineSplitter();
  const stderr = process.stderr as WriteStream;
  const size = file ? await fileSize(file) : undefined;
  const bar = stderr.isTTY ? new ProgressBar(stderr, size) : undefined;
  const sink = async (lines: Buffer): Promise<void> => {
    job.pushBytes(lines);
    await output.flush();
  };
  const progress = bar ? (bytes: number) => bar.update(bytes, job.state().lines) : undefined;
  if (file) await replayFile(file, sink, splitter, progress);
  else await replayStdin(sink, splitter, progress);
  bar?.clear();
  if (splitter.overlong) job.countInvalid(splitter.overlong);
}

/** Live stdin: lines as they come, time also advancing with the clock; ends with the input. */
async function readInput(job: StatsRunner, output: StatsOutput, signal: AbortSignal): Promise<void> {
  const splitter = new LineSplitter();
  signal.addEventListener("abort", () => process.stdin.destroy());
  await readStream(
    process.stdin,
    (lines) => {
      job.pushBytes(lines);
      return output.flush();
    },
    splitter,
  ).catch((err: unknown) => {
    if (!signal.aborted) throw err;
  });
  if (splitter.overlong) job.countInvalid(splitter.overlong);
}

/** Live file: the file source follows it from its end through rotation and truncation, until a signal. */
async function followFile(file: string, job: StatsRunner, logger: Logger, signal: AbortSignal): Promise<void> {
  await fileSize(file); // a missing file is the user's mistake, said plainly
  const [{ fileSource: kind }, { MemoryCheckpointStore }] = await Promise.all([
    import("../sources/file/index.js"),
    import("../core/checkpoint.js"),
  ]);
  const source = kind.create(kind.schema.parse({ path: file, start_at: "end" }), {
    name: "stats",
    clock: systemClock,
    logger: logger.child({ source: file }),
    metrics: new Metrics(),
    stateDir: tmpdir(),
    checkpoints: new MemoryCheckpointStore(),
    once: false,
    emit: async (batch) => job.push(batch.records),
  });
  // The source's timers do not hold the process open (they are unref'd): this does, until a signal.
  const letGo = keepAlive();
  try {
    await source.start();
    logger.debug({ file }, "following");
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await source.stop();
  } finally {
    letGo();
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UserError("USAGE", `${file} is not a file`);
    return info.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError("USAGE", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function summarize(job: StatsRunner, logger: Logger, live: boolean): void {
  const state = job.state();
  const { hits, invalid, late } = state.totals;
  if (state.lines > 0 && hits === 0)
    logger.warn({ format: state.format, lines: state.lines }, "no line was a valid access-log line for this format");
  if (!live) logger.info({ format: state.format, lines: state.lines, hits, invalid, late }, "replay finished");
}
