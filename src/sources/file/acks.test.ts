import { describe, expect, it } from "vitest";
import { AckTracker } from "./acks.js";

describe("AckTracker", () => {
  it("commits only past a prefix of acknowledged batches", () => {
    const commits: number[] = [];
    const t = new AckTracker(0, (o) => commits.push(o));
    const a = t.add(10);
    const b = t.add(20);
    const c = t.add(30);
    c.done();
    expect(commits).toEqual([]);
    a.done();
    expect(commits).toEqual([10]);
    b.done();
    expect(commits).toEqual([10, 30]);
    expect(t.pending).toBe(0);
  });

  it("cancel drops a batch without committing it; whenIdle waits for the rest", async () => {
    const commits: number[] = [];
    const t = new AckTracker(5, (o) => commits.push(o));
    const a = t.add(10);
    const b = t.add(20);
    let idle = false;
    void t.whenIdle().then(() => (idle = true));
    b.cancel();
    expect(commits).toEqual([]);
    a.done();
    await Promise.resolve();
    expect(commits).toEqual([10]);
    expect(idle).toBe(true);
  });
});
