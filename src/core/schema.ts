// Zod building blocks shared by every component schema: durations, sizes, patterns, name lists.
import * as z from "zod";
import { parseDuration, parseSize } from "./units.js";
import { parsePattern } from "./pattern.js";

/** A duration ("10s", "2m", or a number of seconds), parsed to milliseconds. */
export const zDuration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** A size ("10MB", "512KiB", or a number of bytes), parsed to bytes. */
export const zSize = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseSize(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** A pattern in the logward syntax, checked at load time and kept as text. */
export const zPattern = z.string().superRefine((value, ctx) => {
  try {
    parsePattern(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

/** One name or a list of names, always a list after parsing. */
export const zNameList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** One pattern or a list of patterns. */
export const zPatternList = z
  .union([zPattern, z.array(zPattern).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));
