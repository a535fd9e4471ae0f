// Config schemas (zod) of the access formats' options: loaded with a config, not by `stats --replay`, which needs none.
import * as z from "zod";
import type { FieldNameOptions } from "./fieldmap.js";
import { ACCESS_FORMATS } from "./formats.js";
import { compileAccessFormat } from "./access-format.js";

export const accessFormatName = z.enum(ACCESS_FORMATS);

const fieldName = z.string().min(1).optional();

/** Options of the json and logfmt parsers: which key holds each common field. */
export const fieldNameOptions = z.strictObject({
  time_field: fieldName,
  host_field: fieldName,
  user_field: fieldName,
  method_field: fieldName,
  path_field: fieldName,
  protocol_field: fieldName,
  status_field: fieldName,
  bytes_field: fieldName,
  referer_field: fieldName,
  agent_field: fieldName,
  request_field: fieldName,
}) satisfies z.ZodType<FieldNameOptions>;

/** An nginx log_format or Apache LogFormat string that compiles (a mistake is reported at the key). */
export const zAccessFormat = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      compileAccessFormat(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

/** Options of the custom parser: the format (default nginx's combined, as nginx's own default). */
export const customFormatOptions = z.strictObject({ access_format: zAccessFormat.optional() });

/** The options of a format that has none. */
export const noOptions = z.strictObject({});
