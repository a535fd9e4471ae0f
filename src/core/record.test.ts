import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CountingAck } from "./record.js";

describe("CountingAck", () => {
  it("completes only when the initial hold and every later hold are released, once", () => {
    let done = 0;
    const ack = new CountingAck(() => done++);
    const a = ack.hold();
    const b = ack.hold();
    ack.releaseInitial();
    a();
    a();
    expect(done).toBe(0);
    b();
    expect(done).toBe(1);
    ack.hold()();
    expect(done).toBe(1);
  });

  it("completes with no holds as soon as dispatch releases the initial hold", () => {
    let done = false;
    const ack = new CountingAck(() => (done = true));
    ack.releaseInitial();
    expect(done).toBe(true);
  });

  it("reports a finished prefix only past records whose every hold is released, in any release order", async () => {
    const plan = fc.record({
      // Per record (in order), how many holds it takes (0: no rule fired for it).
      holds: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
      order: fc.array(fc.nat(), { maxLength: 100 }),
    });
    await fc.assert(
      fc.asyncProperty(plan, async ({ holds, order }) => {
        const reports: number[] = [];
        let done = false;
        const ack = new CountingAck(
          () => (done = true),
          (n) => reports.push(n),
        );
        const open: { index: number; release: () => void }[] = [];
        holds.forEach((count, index) => {
          for (let i = 0; i < count; i++) open.push({ index, release: ack.holdRecord(index) });
        });
        const pendingBelow = (n: number) => open.some((h) => h.index < n);
        for (const pick of order) {
          if (open.length === 0) break;
          const [hold] = open.splice(pick % open.length, 1);
          hold?.release();
          if (pick % 2 === 0) await Promise.resolve(); // reports come once per turn: sometimes let one through
          const last = reports[reports.length - 1];
          if (last !== undefined) expect(pendingBelow(last)).toBe(false);
        }
        expect(reports).toEqual([...reports].sort((a, b) => a - b));
        expect(new Set(reports).size).toBe(reports.length);
        for (const hold of open.splice(0)) hold.release();
        await Promise.resolve();
        // Every record before the last one that took a hold is then reported finished.
        const lastHeld = holds.reduce((last, count, index) => (count > 0 ? index : last), 0);
        if (lastHeld > 0) expect(reports[reports.length - 1]).toBe(lastHeld);
        expect(done).toBe(false);
        ack.releaseInitial();
        expect(done).toBe(true);
      }),
      { seed: 14, numRuns: 500 },
    );
  });
});
