// Bounds V8's young generation (new space), which otherwise grows to its maximum while a start compiles many rules.
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import { numberFromEnv, userSetFlag, type Proc } from "./v8-settings.js";

/** The bound when LOGWARD_YOUNG_GENERATION_MB does not set one (both semi-spaces together). */
export const DEFAULT_YOUNG_GENERATION_MB = 8;
/** MB for the bound; 0 leaves V8 alone. */
export const YOUNG_GENERATION_ENV = "LOGWARD_YOUNG_GENERATION_MB";
/** Where bin/start.cjs finds the release: the code cache it writes at exit must see V8's flags as they were. */
const RELEASE = Symbol.for("logward.youngGeneration");

/** V8's own growth factor: new space doubles its capacity each time it grows. */
const V8_GROWTH_FACTOR = 2;
/** Flags by which a user sized new space himself: his choice wins (V8 takes `_` for `-` in flag names). */
const USER_SIZING = /--(?:(?:max|min)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)\b/;

/**
 * The bound in bytes, or undefined when V8 is left alone: turned off (0), or the user sized new space with V8's
 * flags on the command line or in NODE_OPTIONS. A value that is not a number of MB is said once and the default used.
 */
export function youngGenerationCap(proc: Proc): number | undefined {
  if (userSetFlag(proc, USER_SIZING)) return undefined;
  const mb = numberFromEnv(proc, YOUNG_GENERATION_ENV, DEFAULT_YOUNG_GENERATION_MB, "MB");
  return mb > 0 ? mb * 2 ** 20 : undefined;
}

/**
 * The capacity of one semi-space now, 0 for a V8 without new space. Not space_size: Node 26's V8 commits a
 * semi-space's pages as they fill, so space_size lags behind the capacity V8 grows by; used + available is that
 * capacity on every V8 we run on.
 */
function semiSpaceBytes(): number {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  return space ? space.space_used_size + space.space_available_size : 0;
}

/** Quiet callbacks in a row before new space may grow: one can sit between two long synchronous stretches. */
const QUIET_CALLBACKS_TO_GROW = 3;

/** How many times new space may still double (both semi-spaces, 2 × semi) and stay within the cap. */
function doublingsLeft(cap: number, semi: number): number {
  return Math.floor(Math.log2(cap / (2 * semi)));
}

/**
 * The most times V8 could grow new space in `gcs` GCs in a row: it grows when the bytes that survived scavenges
 * since it last grew exceed its capacity, and one scavenge copies at most that capacity, so never in two GCs running.
 */
function mostGrowthsIn(gcs: number): number {
  return Math.ceil(gcs / 2);
}

/**
 * Hold new space where it is (growth factor 1) when doubling it again would pass the cap, and let it grow when it is
 * smaller: V8 also shrinks new space while the process idles, and a daemon held at a small young generation under a
 * later burst would promote, then mark-compact, much of what it allocates.
 * The observer runs only when the event loop turns (its entries are the GCs since it last ran), and V8 grows new
 * space in GCs: one long synchronous stretch (a start compiling a thousand rules, a reload) may double it several
 * times before the observer could hold it. So new space starts held, and may grow only after a few callbacks in a row
 * whose GCs could not have grown it past the cap had it been free to.
 * The flag changes only when the decision does. Held new space is held even when it grew: V8 12+ also grows it a
 * page at a time, past the flag, in long stretches under load; letting go then (taking that for a V8 without the
 * flag) let it double to its maximum.
 */
export function boundYoungGeneration(proc: Proc = process): void {
  const cap = youngGenerationCap(proc);
  const global = globalThis as Record<symbol, unknown>;
  if (cap === undefined || global[RELEASE] !== undefined || semiSpaceBytes() === 0) return;
  let held = false;
  let quietCallbacks = 0;
  const hold = (holding: boolean) => {
    if (holding === held) return;
    v8.setFlagsFromString(`--semi-space-growth-factor=${holding ? 1 : V8_GROWTH_FACTOR}`);
    held = holding;
  };
  const observer = new PerformanceObserver((list) => {
    const semi = semiSpaceBytes();
    const room = doublingsLeft(cap, semi);
    quietCallbacks = mostGrowthsIn(list.getEntries().length) <= room ? quietCallbacks + 1 : 0;
    hold(room < 1 || quietCallbacks < QUIET_CALLBACKS_TO_GROW);
  });
  const release = () => {
    observer.disconnect();
    hold(false);
    delete global[RELEASE];
  };
  hold(true);
  observer.observe({ entryTypes: ["gc"] });
  global[RELEASE] = release;
}
