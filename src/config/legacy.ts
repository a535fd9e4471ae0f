// Converters from the config formats of the tools logward replaces; loadConfig tries each in turn.

/**
 * Given a file's raw content, return the equivalent logward config and a hint telling the user how
 * to move on, or undefined when the input is not this legacy format.
 */
export type LegacyConverter = (raw: unknown) => { config: unknown; hint: string } | undefined;

/** Registered converters (owners of the replaced tools' features push theirs here). */
export const legacyConverters: LegacyConverter[] = [];

/** The first conversion that applies, if any. */
export function convertLegacy(raw: unknown): { config: unknown; hint: string } | undefined {
  for (const convert of legacyConverters) {
    const converted = convert(raw);
    if (converted) return converted;
  }
  return undefined;
}
