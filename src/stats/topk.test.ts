import { describe, expect, it } from "vitest";
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
});
