// Reading flag values: a bad value is a usage error (exit 2) that names the flag. Light: no logger, no schema.
import { UserError } from "../core/errors.js";
import { parseDuration } from "../core/units.js";

/** A duration flag's value in ms (a bare number is seconds). */
export function durationFlag(flag: string, text: string): number {
  try {
    return parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  } catch (err) {
    throw new UserError("USAGE", `${flag}: ${(err as Error).message}`, { cause: err });
  }
}
