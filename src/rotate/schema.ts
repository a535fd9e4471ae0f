// Config schema of one rotate job (owned by the rotate module; extended there).
import * as z from "zod";
import { zDuration, zSize } from "../core/schema.js";

export const rotateJobSchema = z.strictObject({
  /** A file or a glob (`*`, `?`, `[...]`, `**`); a leading ~/ is the home folder. */
  path: z.string().min(1),
  /** Where archives go (created if missing); default: beside the file. */
  archive_dir: z.string().min(1).optional(),
  /** Rotate once the file reaches this size (acted on within about a second, via fs.watch). */
  max_size: zSize.optional(),
  /** Rotate once the file's content is this old (time since its last rotation, or its creation). */
  max_age: zDuration.optional(),
  /** Rotate once the file has not been modified for this long (its mtime; the old script's max_age_days). */
  max_idle: zDuration.optional(),
  /** Never rotate a file smaller than this, whatever the trigger. */
  min_size: zSize.optional(),
  /** Never rotate an empty file. */
  notifempty: z.boolean().default(true),
  /** A missing file (or a glob matching nothing) is not an error. */
  missing_ok: z.boolean().default(false),
  /** rename: move the file away and create an empty one; copytruncate: copy it, then truncate in place. */
  method: z.enum(["rename", "copytruncate"]).default("rename"),
  compress: z.boolean().default(false),
  compress_level: z.number().int().min(1).max(9).default(6),
  /** Leave the newest archive uncompressed until the next rotation (a writer may still hold it). */
  delay_compress: z.boolean().default(false),
  /**
   * A renamed file is compressed, moved or expired only once it has been quiet (not written, not renamed) this
   * long and no process holds it open for writing: an app that keeps its file open goes on writing to it.
   */
  rotate_wait: zDuration.default(30_000),
  /** Delete archives rotated more than this many days ago. */
  keep_days: z.number().nonnegative().optional(),
  /** Keep at most this many archives per file. */
  keep: z.number().int().nonnegative().optional(),
  /** Shell command run after each rotation (env LOGWARD_ROTATED, LOGWARD_FILE, LOGWARD_JOB). */
  post_rotate: z.string().min(1).optional(),
  /** Periodic sweep (ages, and sizes inotify missed). */
  check_every: zDuration.refine((ms) => ms >= 1000, "check_every must be at least 1s").default(60_000),
});

export type RotateJobConfig = z.output<typeof rotateJobSchema>;
