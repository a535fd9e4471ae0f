// Unit tests of a rule's lane: concurrency, coalescing, the max_queue_lines bound and releases.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { RuleLane, type Job } from "./lane.js";
import { matchEvent, trackedRelease } from "./testing/helpers.js";

function harness(concurrency = 1, maxQueueLines = 1000, maxQueueChars?: number) {
  const jobs: { job: Job; finish: () => void }[] = [];
  const drops: number[] = [];
  let idles = 0;
  const lane = new RuleLane({
    concurrency,
    maxQueueLines,
    ...(maxQueueChars !== undefined ? { maxQueueChars } : {}),
    run: (job) => new Promise<void>((finish) => jobs.push({ job, finish })),
    onFirstDrop: (n) => drops.push(n),
    onIdle: () => idles++,
  });
  const finish = async (i: number) => {
    jobs[i]?.finish();
    await new Promise((r) => setImmediate(r));
  };
  return { lane, jobs, drops, finish, idles: () => idles };
}

describe("RuleLane", () => {
  it("runs at once when free, and coalesces what arrives meanwhile into one next run", async () => {
    const h = harness();
    const releases = [0, 1, 2, 3].map(() => trackedRelease());
    h.lane.offer(matchEvent(["a"]), releases[0]!.release);
    h.lane.offer(matchEvent(["b", "c"], { suppressed: 2 }), releases[1]!.release);
    h.lane.offer(matchEvent(["d"], { match: "latest", suppressed: 1 }), releases[2]!.release);
    expect(h.jobs).toHaveLength(1);
    expect(h.jobs[0]?.job.lines).toEqual(["a"]);
    await h.finish(0);
    expect(releases.map((r) => r.released())).toEqual([true, false, false, false]);
    expect(h.jobs).toHaveLength(2);
    expect(h.jobs[1]?.job).toMatchObject({ lines: ["b", "c", "d"], count: 3, suppressed: 3, events: 2, dropped: 0 });
    expect(h.jobs[1]?.job.latest.match).toBe("latest");
    h.lane.offer(matchEvent(["e"]), releases[3]!.release); // queued behind run 2
    await h.finish(1);
    expect(releases.map((r) => r.released())).toEqual([true, true, true, false]);
    await h.finish(2);
    expect(releases.every((r) => r.released())).toBe(true);
    expect(h.lane.idle).toBe(true);
    expect(h.idles()).toBe(1);
  });

  it("drops the oldest queued lines beyond max_queue_lines and releases events left with none", async () => {
    const h = harness(1, 3);
    const first = trackedRelease();
    h.lane.offer(matchEvent(["running"]), first.release);
    const queued = [["q1", "q2"], ["q3"], ["q4", "q5"], ["q6"]].map((lines) => ({ lines, t: trackedRelease() }));
    for (const q of queued) h.lane.offer(matchEvent(q.lines), q.t.release);
    expect(h.drops).toEqual([2]); // q1, q2 went when q4, q5 arrived; q3 when q6 did
    expect(queued.map((q) => q.t.released())).toEqual([true, true, false, false]); // q1,q2 then q3 dropped
    await h.finish(0);
    expect(h.jobs[1]?.job).toMatchObject({ lines: ["q4", "q5", "q6"], count: 6, dropped: 3, events: 4 });
    await h.finish(1);
    expect(queued.every((q) => q.t.released())).toBe(true);
  });

  it("runs up to `concurrency` at a time", async () => {
    const h = harness(2);
    for (const line of ["a", "b", "c", "d"]) h.lane.offer(matchEvent([line]), () => {});
    expect(h.jobs.map((j) => j.job.lines)).toEqual([["a"], ["b"]]);
    await h.finish(1);
    expect(h.jobs.map((j) => j.job.lines)).toEqual([["a"], ["b"], ["c", "d"]]);
  });

  it("clear() forgets queued events without releasing them", async () => {
    const h = harness();
    const queued = trackedRelease();
    h.lane.offer(matchEvent(["a"]), () => {});
    h.lane.offer(matchEvent(["b"]), queued.release);
    h.lane.clear();
    await h.finish(0);
    expect(h.jobs).toHaveLength(1);
    expect(queued.released()).toBe(false);
    expect(h.lane.idle).toBe(true);
  });

  it("goes on after a run that rejects", async () => {
    const jobs: Job[] = [];
    const lane = new RuleLane({
      concurrency: 1,
      maxQueueLines: 10,
      run: async (job) => {
        jobs.push(job);
        throw new Error("boom");
      },
      onFirstDrop: () => {},
      onIdle: () => {},
    });
    const second = trackedRelease();
    lane.offer(matchEvent(["a"]), () => {});
    lane.offer(matchEvent(["b"]), second.release);
    await second.done;
    expect(jobs.map((j) => j.lines)).toEqual([["a"], ["b"]]);
  });

  it("bounds the queue in characters too: big lines drop the oldest, the newest is always kept", async () => {
    const h = harness(1, 1000, 100);
    const releases = [0, 1, 2, 3].map(() => trackedRelease());
    h.lane.offer(matchEvent(["run"]), releases[0]!.release);
    h.lane.offer(matchEvent(["a".repeat(60)]), releases[1]!.release);
    h.lane.offer(matchEvent(["b".repeat(60)]), releases[2]!.release);
    expect(h.drops).toEqual([1]); // 120 characters queued: the oldest line goes, and its event is released
    expect(releases[1]!.released()).toBe(true);
    h.lane.offer(matchEvent(["c".repeat(500)]), releases[3]!.release);
    await h.finish(0);
    expect(h.jobs[1]?.job.lines).toEqual(["c".repeat(500)]);
    expect(h.jobs[1]?.job.dropped).toBe(2);
  });
});

describe("RuleLane with a wait (logs2eca's -w)", () => {
  function waiting(waitMs: number) {
    const clock = new FakeClock();
    const jobs: { job: Job; startedAt: number; finish: () => void }[] = [];
    const reports: { at: number; ignored: number }[] = [];
    const lane = new RuleLane({
      concurrency: 1,
      maxQueueLines: 1000,
      run: (job) => new Promise<void>((finish) => jobs.push({ job, startedAt: clock.now(), finish })),
      onFirstDrop: () => {},
      onIdle: () => {},
      waitMs,
      clock,
      onWaitEnd: (ignored) => reports.push({ at: clock.now(), ignored }),
    });
    const finish = async () => {
      jobs.at(-1)?.finish();
      await new Promise((r) => setImmediate(r));
    };
    return { clock, lane, jobs, reports, finish };
  }

  it("ignores (releases and counts) matches while the command runs and for the wait after its end", async () => {
    const h = waiting(3000);
    const first = trackedRelease();
    h.lane.offer(matchEvent(["run 1"]), first.release);
    h.clock.advance(10_000); // a long command: the wait has not started yet
    const during = [1, 2].map(() => trackedRelease());
    for (const d of during) h.lane.offer(matchEvent(["during"]), d.release);
    expect(during.every((d) => d.released())).toBe(true); // read and done with, never queued
    await h.finish();
    h.clock.advance(2999);
    const inWait = trackedRelease();
    h.lane.offer(matchEvent(["in the wait"], { suppressed: 4 }), inWait.release);
    expect(inWait.released()).toBe(true);
    expect(h.jobs).toHaveLength(1);
    h.clock.advance(1);
    expect(h.reports).toEqual([{ at: h.clock.now(), ignored: 3 }]);
    h.lane.offer(matchEvent(["run 2"]), trackedRelease().release);
    expect(h.jobs).toHaveLength(2);
    expect(h.jobs[1]?.job).toMatchObject({ lines: ["run 2"], suppressed: 7, events: 1 });
  });

  it("never starts a run within the wait after the previous one ended, whatever the timings (model)", async () => {
    const step = fc.record({ advance: fc.integer({ min: 0, max: 2000 }), action: fc.constantFrom("offer", "finish") });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const h = waiting(1000);
        let endedAt = -Infinity;
        let offered = 0;
        for (const { advance, action } of steps) {
          h.clock.advance(advance);
          if (action === "offer") {
            offered++;
            h.lane.offer(matchEvent(["x"]), trackedRelease().release);
          } else if (h.jobs.length > 0 && !h.lane.idle) {
            endedAt = h.clock.now();
            await h.finish();
          }
          const last = h.jobs.at(-1);
          if (last && last.startedAt > endedAt) expect(last.startedAt - endedAt).toBeGreaterThanOrEqual(1000);
        }
        // Every match is either a run or counted: nothing lost, nothing queued.
        const counted = h.jobs.reduce((n, j) => n + j.job.suppressed + j.job.count, 0);
        const pendingIgnored = offered - counted;
        expect(pendingIgnored).toBeGreaterThanOrEqual(0);
        expect(h.jobs.every((j) => j.job.events === 1)).toBe(true);
      }),
      { seed: 1206, numRuns: 200 },
    );
  });
});
