import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Ring } from "./ring.js";

describe("Ring", () => {
  test("keeps the newest items, oldest first", () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.last(10)).toEqual([3, 4, 5]);
    expect(ring.last(2)).toEqual([4, 5]);
    expect(ring.last(0)).toEqual([]);
    expect(ring.from(1)).toEqual([4, 5]);
    expect(ring.at(0)).toBe(3);
    expect(ring.at(3)).toBeUndefined();
  });

  test("rejects a capacity that is not a positive integer", () => {
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(1.5)).toThrow(RangeError);
  });

  test("behaves like the tail of an array", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer(), { maxLength: 100 }),
        fc.nat(30),
        (capacity, items, n) => {
          const ring = new Ring<number>(capacity);
          for (const item of items) ring.push(item);
          const kept = items.slice(-capacity);
          expect(ring.last(ring.size)).toEqual(kept);
          expect(ring.last(n)).toEqual(n === 0 ? [] : kept.slice(-n));
        },
      ),
    );
  });
});

describe("Ring with a byte budget", () => {
  test("evicts the oldest until the items fit, always keeping the newest", () => {
    const ring = new Ring<string>(10, { maxBytes: 10, weigh: (s) => s.length });
    for (const s of ["aaaa", "bbbb", "cc"]) ring.push(s);
    expect(ring.last(10)).toEqual(["aaaa", "bbbb", "cc"]);
    ring.push("ddd"); // 13 > 10: aaaa goes
    expect(ring.last(10)).toEqual(["bbbb", "cc", "ddd"]);
    expect(ring.bytes).toBe(9);
    ring.push("x".repeat(50)); // alone over budget: kept, everything older goes
    expect(ring.last(10)).toEqual(["x".repeat(50)]);
    expect(ring.bytes).toBe(50);
  });

  test("behaves like the longest tail of an array within count and bytes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.string({ maxLength: 15 }), { maxLength: 100 }),
        (capacity, maxBytes, items) => {
          const ring = new Ring<string>(capacity, { maxBytes, weigh: (s) => s.length + 1 });
          const model: string[] = [];
          for (const item of items) {
            ring.push(item);
            model.push(item);
            if (model.length > capacity) model.shift();
            let bytes = model.reduce((sum, s) => sum + s.length + 1, 0);
            while (bytes > maxBytes && model.length > 1) bytes -= (model.shift() as string).length + 1;
            expect(ring.last(ring.size)).toEqual(model);
            expect(ring.bytes).toBe(bytes);
          }
        },
      ),
    );
  });
});
