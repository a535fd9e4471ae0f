import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeClock, MAX_TIMER_MS, systemClock } from "./clock.js";

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

describe("systemClock", () => {
  afterEach(() => void vi.useRealTimers());

  it("waits delays past setTimeout's limit in steps, never arming a timer over it; cancel works at every step", () => {
    vi.useFakeTimers();
    const armed = vi.spyOn(globalThis, "setTimeout");
    const fired: number[] = [];
    const start = Date.now();
    systemClock.setTimeout(() => fired.push(Date.now() - start), 2 * MAX_TIMER_MS + 5000);
    const cancelled = systemClock.setTimeout(() => fired.push(-1), MAX_TIMER_MS + 10);
    vi.advanceTimersByTime(MAX_TIMER_MS + 5);
    cancelled.cancel(); // cancelled after its first step: the re-armed timer must not fire
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(4995);
    expect(fired).toEqual([2 * MAX_TIMER_MS + 5000]);
    for (const call of armed.mock.calls) expect(call[1]).toBeLessThanOrEqual(MAX_TIMER_MS);
  });
});
