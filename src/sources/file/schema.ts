// The file source's configuration keys (the config loader adds `type` and `parser`).
import * as z from "zod";
import { zDuration, zPattern, zSize } from "../../core/schema.js";

const zPathList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const fileSourceSchema = z.strictObject({
  /** A file, a directory or a glob (`**` allowed); `~/` is the home directory. */
  path: zPathList,
  /** Globs of files to leave out: with a `/` matched against the whole path, else against the file name. */
  exclude: zPathList.optional(),
  /** For a directory path: include files in subdirectories too. */
  recursive: z.boolean().default(false),
  /** `newest`: read only the most recently modified matching file, switching when a newer one appears. */
  follow: z.enum(["all", "newest"]).default("all"),
  /** How often the paths are evaluated again for new files (watch events usually find them sooner). */
  rescan: zDuration.pipe(z.number().min(100, "rescan must be at least 100ms")).default(10_000),
  /** Where a file without a checkpoint starts when it is there at startup; later files start at their beginning. */
  start_at: z.enum(["end", "beginning"]).default("end"),
  /** With start_at: end, start that many lines before the end (like `tail -n`), e.g. for `logward view -n`. */
  start_lines: z.number().int().nonnegative().default(0),
  multiline: z
    .strictObject({
      /** A line matching this starts an event; any other line continues the previous one. */
      start: zPattern,
      /** An event is complete when no line has continued it for this long. */
      timeout: zDuration.pipe(z.number().min(10, "multiline timeout must be at least 10ms")).default(1000),
    })
    .optional(),
  /** Longer lines are cut to this many bytes, marked, and counted. */
  max_line_bytes: zSize.pipe(z.number().int().min(64)).default(1024 * 1024),
  /**
   * Follow symbolic links met by a glob or a directory walk (to files or directories). Off by default: a link planted
   * in a watched folder must not make logward read (and ship) a file elsewhere. A configured path that is itself a
   * link is always followed.
   */
  follow_symlinks: z.boolean().default(false),
  /** How long a rotated-away file must stay quiet, once a newer one exists, before it is closed. */
  rotate_wait: zDuration.default(5000),
});

export type FileSourceConfig = z.output<typeof fileSourceSchema>;
