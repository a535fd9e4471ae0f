// Unit tests of the threshold window on its own: order, eviction, resets, and many matches.
import { describe, expect, it } from "vitest";
import { ThresholdWindow } from "./threshold.js";

describe("ThresholdWindow", () => {
  it("returns the window's matches in time order when it fills", () => {
    const w = new ThresholdWindow<string>(3, 1000);
    expect(w.add("c", 300)).toBeUndefined();
    expect(w.add("a", 100)).toBeUndefined();
    expect(w.add("b", 200)).toEqual(["a", "b", "c"]);
    expect(w.size).toBe(0);
  });

  it("evicts matches older than the window of the newest", () => {
    const w = new ThresholdWindow<number>(3, 1000);
    for (const t of [0, 500, 1600]) w.add(t, t);
    expect(w.size).toBe(1); // 0 and 500 are more than 1 s before 1600
    expect(w.add(2000, 2000)).toBeUndefined();
    expect(w.add(2500, 2500)).toEqual([1600, 2000, 2500]);
  });

  it("stays correct over many matches that never fill it", () => {
    const w = new ThresholdWindow<number>(5000, 10);
    for (let t = 0; t < 100_000; t++) expect(w.add(t, t * 100)).toBeUndefined();
    expect(w.size).toBe(1);
  });

  it("fires for a large count", () => {
    const w = new ThresholdWindow<number>(5000, 60_000);
    const fired = [];
    for (let t = 0; t < 12_000; t++) {
      const out = w.add(t, t);
      if (out) fired.push(out.length);
    }
    expect(fired).toEqual([5000, 5000]);
    expect(w.size).toBe(2000);
  });
});
