import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";

describe("FakeClock", () => {
  it("fires due timers in time order and sets now to each timer's time", () => {
    const clock = new FakeClock(0);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(["b", clock.now()]), 200);
    clock.setTimeout(() => fired.push(["a", clock.now()]), 100);
    const c = clock.setTimeout(() => fired.push(["c", clock.now()]), 150);
    c.cancel();
    clock.advance(150);
    expect(fired).toEqual([["a", 100]]);
    clock.advance(100);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 200],
    ]);
    expect(clock.now()).toBe(250);
  });

  it("runs timers scheduled by timers within the same advance", () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 50), 50);
    clock.advance(100);
    expect(fired).toEqual([100]);
  });
});
