import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SpaceSaving } from "./topk.js";

describe("SpaceSaving", () => {
  it("counts exactly while under capacity", () => {
    const top = new SpaceSaving(10);
    for (const key of ["a", "b", "a", "c", "a", "b"]) top.add(key);
    expect(top.top(2)).toEqual([{ name: "a", hits: 3 }, { name: "b", hits: 2 }]);
    expect(top.approximate).toBe(false);
  });

  it("keeps the heavy hitters of a long tail in fixed memory", () => {
    const top = new SpaceSaving(50);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 200_000; i++) {
      top.add(random() < 0.3 ? `heavy-${i % 3}` : `tail-${Math.floor(random() * 1e9)}`);
    }
    expect(top.size).toBe(50);
    expect(top.approximate).toBe(true);
    const names = top.top(3).map((e) => e.name).sort();
    expect(names).toEqual(["heavy-0", "heavy-1", "heavy-2"]);
    for (const entry of top.top(3)) expect(entry.hits).toBeGreaterThanOrEqual(20_000); // never under-estimated
  });

  it("top(n) selects what sorting every counter would (property)", () => {
    const key = fc.constantFrom("a", "b", "B", "ab", "/api", "/", "10.0.0.1", "10.0.0.10", "z", "é", "");
    fc.assert(
      fc.property(fc.array(key, { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), (keys, capacity, n) => {
        const top = new SpaceSaving(capacity);
        for (const k of keys) top.add(k);
        const all = top.top(capacity + 1);
        const sorted = [...all].sort((a, b) => b.hits - a.hits || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        expect(all).toEqual(sorted);
        expect(top.top(n)).toEqual(sorted.slice(0, n));
      }),
      { numRuns: 2000 },
    );
  });
});
