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
