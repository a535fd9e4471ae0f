// SerialRunner: steps never overlap, run in the order asked, and requests within one tick share one run.
import { describe, expect, it } from "vitest";
import { SerialRunner } from "./serial.js";

describe("SerialRunner", () => {
  it("never overlaps two runs, and runs them in order", async () => {
    let active = 0;
    let most = 0;
    const order: number[] = [];
    let n = 0;
    const runner = new SerialRunner(async () => {
      const mine = n++;
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 5 - (mine % 3)));
      order.push(mine);
      active--;
    });
    await Promise.all([runner.run(), runner.run(), runner.run(), runner.run()]);
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("coalesces schedule() calls made within one tick into one run", async () => {
    let runs = 0;
    const runner = new SerialRunner(async () => void runs++);
    runner.schedule();
    runner.schedule();
    runner.schedule();
    expect(runner.scheduled).toBe(true);
    await new Promise((r) => setImmediate(r));
    await runner.idle();
    expect(runs).toBe(1);
    expect(runner.scheduled).toBe(false);
  });
});
