// Bounds how far V8 lets the old generation grow past what the last full collection kept.
import v8 from "node:v8";
import { numberFromEnv, userSetFlag, type Proc } from "./v8-settings.js";

/** The growth when LOGWARD_OLD_GENERATION_GROWTH_PERCENT does not set one. */
export const DEFAULT_OLD_GENERATION_GROWTH_PERCENT = 100;
/** Percent the old generation may grow past what a full collection kept before the next one; 0 leaves V8 alone. */
export const OLD_GENERATION_GROWTH_ENV = "LOGWARD_OLD_GENERATION_GROWTH_PERCENT";
/** Where bin/start.cjs finds the release: the code cache it writes at exit must see V8's flags as they were. */
const RELEASE = Symbol.for("logward.oldGeneration");
/** The user's own growth (V8 takes `_` for `-` in flag names). */
const USER_GROWTH = /--heap[-_]growing[-_]percent\b/;

/** The growth in percent, or undefined when V8 is left alone: turned off (0), or the user set V8's flag himself. */
export function oldGenerationGrowth(proc: Proc): number | undefined {
  if (userSetFlag(proc, USER_GROWTH)) return undefined;
  const percent = Math.round(
    numberFromEnv(proc, OLD_GENERATION_GROWTH_ENV, DEFAULT_OLD_GENERATION_GROWTH_PERCENT, "%"),
  );
  return percent > 0 ? percent : undefined;
}

/**
 * V8 sets the old generation's next full collection at what the last one kept times a factor of its own, up to 4 for
 * a small heap. A start that compiles many rules promotes much that dies soon after (the young generation is held
 * small: young-generation.ts), so it then carried that garbage, about a third of its heap, for the whole run. A fixed
 * growth collects it sooner: a few more full collections of a small heap. Not tighter than 100 %: a process that
 * keeps much alive for a while (an agent with 64 batches awaiting their PubAck) pays each full collection often.
 */
export function boundOldGeneration(proc: Proc = process): void {
  const percent = oldGenerationGrowth(proc);
  const global = globalThis as Record<symbol, unknown>;
  if (percent === undefined || global[RELEASE] !== undefined) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  global[RELEASE] = () => {
    v8.setFlagsFromString("--heap-growing-percent=0"); // V8's own default: its dynamic factor
    delete global[RELEASE];
  };
}
