// Unit tests of a rule's lane: concurrency, coalescing, the max_queue_lines bound and releases.
import { describe, expect, it } from "vitest";
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
