import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteFrequency } from "../../core/byte-frequency.js";
import { placement, WindowCounts, windowCosts, type Placement } from "./window-choice.js";
import type { WindowNeedle } from "./window-filter.js";
import { contextAt, windowAt } from "./window-hash.js";

/** The placement at one stride priced on its own, with its own running sums (as before pricing was shared). */
function reference(needle: WindowNeedle, stride: number, counts: WindowCounts): Placement {
  const { bytes, fold } = needle;
  const width = bytes.length >= 4 ? 4 : Math.min(2, bytes.length);
  const run = width === 4 ? stride : 1;
  const reach = width === 4 && bytes.length >= 8 ? 8 : width;
  const costs = [0];
  for (let i = 0; i + width <= bytes.length; i++) {
    const key = windowAt(bytes, i, width);
    const cost =
      reach === 8
        ? counts.of(key, 4) * 5 + counts.ofEight(bytes, contextAt(bytes, i)) * 15
        : counts.of(key, width) * (width === 4 ? 15 : 600);
    costs.push((costs[i] as number) + cost);
  }
  const shares = [0];
  for (let i = 0; i < bytes.length; i++)
    shares.push((shares[i] as number) + 0.01 * Math.log(Math.max(1e-4, byteFrequency(bytes[i] as number, fold))));
  let best: Placement = { at: 0, width, run, reach, cost: Infinity };
  let bestScore = Infinity;
  for (let at = 0; at + width + run - 1 <= bytes.length; at++) {
    const cost = (costs[at + run] as number) - (costs[at] as number);
    const score = cost + (shares[at + width + run - 1] as number) - (shares[at] as number);
    if (score < bestScore) [best, bestScore] = [{ at, width, run, reach, cost }, score];
  }
  return best;
}

// Few distinct bytes (letters of both cases, digits, punctuation, a high byte), so windows repeat in the sample.
const byteArb = fc.constantFrom(0x61, 0x62, 0x41, 0x7a, 0x30, 0x39, 0x2e, 0x20, 0x2f, 0xc3);
const needleArb = fc.record({
  bytes: fc.array(byteArb, { minLength: 1, maxLength: 30 }).map((b) => Buffer.from(b)),
  fold: fc.boolean(),
});

describe("window placement priced once per needle", () => {
  it("picks at every stride the run of windows a pricing of that stride alone picks, and sums the same costs", () => {
    fc.assert(
      fc.property(
        fc.array(needleArb, { minLength: 1, maxLength: 20 }),
        fc.array(byteArb, { maxLength: 3000 }),
        (needles, text) => {
          // The needles' own bytes in the sample too, so their windows have counts to tell apart.
          const sample = Buffer.concat([Buffer.from(text), ...needles.map((n) => n.bytes)]);
          const counts = new WindowCounts(sample);
          const sums = [0, 0, 0, 0];
          for (const needle of needles)
            for (let stride = 1; stride <= 4; stride++) {
              const got = placement(needle, stride, counts);
              expect(got).toEqual(reference(needle, stride, counts));
              sums[stride - 1] = (sums[stride - 1] as number) + got.cost;
            }
          expect(windowCosts(needles, counts, 4)).toEqual(sums);
        },
      ),
      { numRuns: 150, seed: 2026 },
    );
  });
});
