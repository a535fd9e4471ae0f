// Converters from the config formats of the tools logward replaces; loadConfig tries each in turn.
import { convertLegacyRotateConfig } from "../rotate/legacy.js";

/**
 * Given a file's raw content, return the equivalent logward config and a hint telling the user how
 * to move on, or undefined when the input is not this legacy format.
 */
export type LegacyConverter = (
  raw: unknown,
) => { config: unknown; hint: string } | undefined | Promise<{ config: unknown; hint: string } | undefined>;

/** Every converter, like every other registry an explicit list: add a replaced tool's converter here. */
export const legacyConverters: readonly LegacyConverter[] = [convertLegacyRotateConfig];

/** The first conversion that applies, if any. */
export async function convertLegacy(
  raw: unknown,
  converters: readonly LegacyConverter[] = legacyConverters,
): Promise<{ config: unknown; hint: string } | undefined> {
  for (const convert of converters) {
    const converted = await convert(raw);
    if (converted) return converted;
  }
  return undefined;
}
