// How the kernel searches a needle set: needles anchored at a line start in a pass over line starts only, the
// others in one window filter, when short line-start needles would otherwise hold all the others to a short stride.
import type { Needle } from "./needle.js";
import { LineStarts } from "./line-starts.js";
import { cheapestStride, longestStride, WindowCounts, windowCosts } from "./window-choice.js";
import { distinct, WindowFilter } from "./window-filter.js";

const NEWLINE = 0x0a;
/**
 * What the line-start pass costs per byte on the scale of window-choice.ts's model (ns in a run): a newline
 * search 32 bytes a step and a table lookup per line. Set against access-log runs where the model's costs of the
 * two ways were compared with the measured ones (bench/NOTES.md, "Issue 16, session 3: short literals").
 */
const LINE_START_COST = 0.13;

/** The passes of a needle set; everyLine when a needle is in every line (then no pass is needed). */
export interface NeedlePlan {
  readonly everyLine: boolean;
  readonly filter: WindowFilter | null;
  readonly lineStarts: LineStarts | null;
}

/**
 * The anchored needles go to the line-start pass when the window filter of the others plus that pass cost less
 * by the model than one window filter of all; else one window filter takes all. `stride` (tests): the window
 * filter's stride; `split` (tests): true, false or undefined (the model decides).
 */
export function planNeedles(needles: readonly Needle[], sample: Buffer, stride?: number, split?: boolean): NeedlePlan {
  const usable = distinct(needles);
  if (usable.some((n) => n.bytes.length === 0 || (n.bytes.length === 1 && n.bytes[0] === NEWLINE)))
    return { everyLine: true, filter: null, lineStarts: null };
  const anchored = usable.filter((n) => n.bytes[0] === NEWLINE);
  const plain = usable.filter((n) => n.bytes[0] !== NEWLINE);
  if (anchored.length === 0 || split === false)
    return { everyLine: false, filter: new WindowFilter(usable, sample, stride), lineStarts: null };
  // The windows' costs are summed apart, so each needle's placements are priced once for both ways.
  const counts = new WindowCounts(sample);
  const plainCosts = windowCosts(plain, counts, longestStride(plain));
  const anchoredCosts = windowCosts(anchored, counts, longestStride(usable));
  const whole = cheapestStride(
    anchoredCosts.map((cost, i) => cost + (plainCosts[i] ?? 0)),
    sample.length,
  );
  const rest = plain.length > 0 ? cheapestStride(plainCosts, sample.length) : { stride: 1, cost: 0 };
  if (split === undefined && rest.cost + sample.length * LINE_START_COST >= whole.cost)
    return {
      everyLine: false,
      filter: new WindowFilter(usable, sample, stride ?? whole.stride, counts),
      lineStarts: null,
    };
  return {
    everyLine: false,
    filter: plain.length > 0 ? new WindowFilter(plain, sample, stride ?? rest.stride, counts) : null,
    lineStarts: new LineStarts(anchored),
  };
}
