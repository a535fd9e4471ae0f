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

  it("does not report a record finished that takes a hold again after its first holds were released", async () => {
    const reports: number[] = [];
    const ack = new CountingAck(
      () => {},
      (n) => reports.push(n),
    );
    ack.holdRecord(0)(); // the line's first event written
    await Promise.resolve(); // its report's turn passes
    const second = ack.holdRecord(0); // the same line's next event, sent after a wait on an action
    ack.holdRecord(1)();
    await Promise.resolve();
    expect(reports.filter((n) => n > 0)).toEqual([]);
    second();
    await Promise.resolve();
    expect(reports).toEqual([1]);
  });

  it("ordered holds: no interleaving of holds, releases, refusals, extra calls passes a pending one", async () => {
    // Ops: take a hold for the current record (from a consumer: 0 and 1 ordered, 2 a closure), move to the next
    // record, end a consumer's hold (its oldest for ordered ones, any for the closure one), refuse the newest hold
    // of an ordered consumer, or let a turn pass.
    const op = fc.oneof(
      fc.record({ take: fc.integer({ min: 0, max: 2 }) }),
      fc.constant({ next: true }),
      fc.record({ end: fc.integer({ min: 0, max: 2 }), pick: fc.nat() }),
      fc.record({ refuse: fc.integer({ min: 0, max: 1 }) }),
      fc.constant({ turn: true }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 200 }), async (ops) => {
        const reports: number[] = [];
        let done = false;
        const ack = new CountingAck(
          () => (done = true),
          (n) => reports.push(n),
        );
        const ordered = [ack.ordered(), ack.ordered()];
        // Per consumer, the record indexes of its pending holds in the order taken (with the closure's release).
        const pending: { index: number; release?: () => void }[][] = [[], [], []];
        let record = 0;
        const check = () => {
          const oldest = Math.min(...pending.flat().map((h) => h.index));
          const last = reports[reports.length - 1];
          if (last !== undefined) expect(last).toBeLessThanOrEqual(oldest);
        };
        for (const o of ops) {
          if ("take" in o) {
            if (o.take === 2) pending[2]!.push({ index: record, release: ack.holdRecord(record) });
            else {
              const release = ordered[o.take]!.hold(record);
              expect(release).toBe(ordered[o.take]!.release);
              pending[o.take]!.push({ index: record });
            }
          } else if ("next" in o) record++;
          else if ("end" in o) {
            const list = pending[o.end]!;
            if (o.end === 2) list.splice(o.pick % Math.max(1, list.length), 1)[0]?.release?.();
            else {
              list.shift(); // nothing pending: the call does nothing
              ordered[o.end]!.release();
            }
          } else if ("refuse" in o) {
            pending[o.refuse]!.pop();
            ordered[o.refuse]!.releaseNewest();
          } else await Promise.resolve();
          check();
        }
        for (const h of pending[2]!.splice(0)) h.release?.();
        for (const k of [0, 1]) for (const _ of pending[k]!.splice(0)) ordered[k]!.release();
        await Promise.resolve();
        expect(reports).toEqual([...reports].sort((a, b) => a - b));
        expect(done).toBe(false);
        ack.releaseInitial();
        expect(done).toBe(true);
      }),
      { seed: 16, numRuns: 1000 },
    );
  });

  it("ordered holds of an ack without progress: done once the initial hold and every ordered hold are ended", () => {
    const op = fc.constantFrom("take", "end", "refuse", "initial");
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let done = 0;
        const ack = new CountingAck(() => done++);
        const holds = ack.ordered();
        let open = 0;
        let initial = false;
        for (const o of ops) {
          if (done > 0) break;
          if (o === "take") {
            open++;
            holds.hold(0);
          } else if (o === "end" || o === "refuse") {
            open = Math.max(0, open - 1); // a call with none open does nothing
            if (o === "end") holds.release();
            else holds.releaseNewest();
          } else if (!initial) {
            initial = true;
            ack.releaseInitial();
          }
          expect(done).toBe(initial && open === 0 ? 1 : 0);
        }
      }),
      { seed: 16, numRuns: 500 },
    );
  });
});
