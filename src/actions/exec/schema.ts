// Config schema of the exec action: the command (from the config only) and how it runs.
import * as z from "zod";
import { zDuration } from "../../core/schema.js";

export const execSchema = z.strictObject({
  /** Run as `shell -c command`; log content reaches it only through LOGWARD_* variables and stdin. */
  command: z.string().min(1),
  /** The command's whole process group is killed after this long. */
  timeout: zDuration.default(30_000),
  /** Working directory (a leading ~/ is the home folder). */
  cwd: z.string().min(1).optional(),
  /** Extra environment variables. */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not a valid environment variable name"), z.string())
    .optional(),
  shell: z.string().min(1).default("/bin/sh"),
  /** Lines queued for one rule while its command runs; beyond it the oldest are dropped. */
  max_queue_lines: z.number().int().positive().default(1000),
  /** Runs at a time per rule. */
  concurrency: z.number().int().positive().default(1),
  /**
   * Counted from the END of each run (logs2eca's -w): matches while the command runs and for this long after are
   * ignored, counted in the log and in the next run's LOGWARD_SUPPRESSED. 0: they are coalesced into the next run.
   */
  wait: zDuration.default(0),
  /** `log`: the command's output goes to logward's log, line by line; `inherit`: to logward's own stdout/stderr. */
  output: z.enum(["log", "inherit"]).default("log"),
});

export type ExecConfig = z.output<typeof execSchema>;
