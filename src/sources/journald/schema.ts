// Config of the journald source: which journal (system, a folder, files), which entries, where a first run starts.
import * as z from "zod";
import { zNameList, zSize } from "../../core/schema.js";

export const journaldSourceSchema = z
  .strictObject({
    /** Only entries of these systemd units (`ssh` means `ssh.service`, as with `journalctl -u`). */
    units: zNameList.optional(),
    /** Only entries with these SYSLOG_IDENTIFIERs (`journalctl -t`); with units too, an entry matching either. */
    identifiers: zNameList.optional(),
    /** A journal folder (`journalctl -D`); default the system journal. */
    directory: z.string().min(1).optional(),
    /** Journal files (`journalctl --file`, globs allowed), instead of a folder. */
    files: zNameList.optional(),
    /** Where a first run (no saved cursor) starts: the whole journal, or only entries written from now on. */
    start_at: z.enum(["beginning", "end"]).default("end"),
    /** The journalctl program. */
    journalctl: z.string().min(1).default("journalctl"),
    /** Longer messages are cut to this many bytes and marked. */
    max_line_bytes: zSize.pipe(z.number().int().min(64)).default(1024 * 1024),
    /** The most journal fields kept on a record besides the named ones (the rest are counted, not kept). */
    max_fields: z.number().int().nonnegative().max(1000).default(64),
    /** The most bytes of those fields' values on one record; a longer value is cut. */
    max_field_bytes: zSize.pipe(z.number().int().min(64)).default(16 * 1024),
    /** Entries handed on at a time. */
    batch: z.number().int().positive().max(10_000).default(500),
  })
  .superRefine((config, ctx) => {
    if (config.directory !== undefined && config.files !== undefined)
      ctx.addIssue({ code: "custom", path: ["files"], message: "give either directory or files, not both" });
  });

export type JournaldSourceConfig = z.output<typeof journaldSourceSchema>;
