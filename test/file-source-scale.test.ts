// Scale: a thousand files in one source cost one directory watch and a fixed number of timers, not one per file.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Clock, systemClock, type Timer } from "../src/core/clock.js";
import { append, Harness } from "./file-source.helpers.js";

/** The system clock, counting the timers that are armed and have neither fired nor been cancelled. */
class CountingClock implements Clock {
  pending = 0;

  now(): number {
    return systemClock.now();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    this.pending++;
    let live = true;
    const settle = () => {
      if (live) this.pending--;
      live = false;
    };
    const timer = systemClock.setTimeout(() => {
      settle();
      fn();
    }, ms);
    return {
      cancel: () => {
        settle();
        timer.cancel();
      },
    };
  }
}

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

function fill(dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: count }, (_, i) => path.join(dir, `f${String(i).padStart(4, "0")}.log`));
  // Distinct content: a file with the same first bytes as an open one, and no longer, is taken for its copy.
  for (const file of files) fs.writeFileSync(file, `${file} 0\n`);
  return files;
}

describe("file source: many files", () => {
  it("tails 1,000 files in one directory with one directory watch and a fixed number of timers", async () => {
    const files = fill(h.path("many"), 1000);
    const clock = new CountingClock();
    const source = await h.start({ path: h.path("many/*.log"), start_at: "beginning", rescan: "1s" }, { clock });
    await source.caughtUp();
    expect(h.records.length).toBe(1000);
    expect(await h.metric("file_open_files")).toBe(1000);
    expect(await h.metric("file_watched_directories")).toBe(1);
    // The sweep and the rescan: two timers for the source, whatever the number of files.
    expect(clock.pending).toBeLessThanOrEqual(2);
    const some = [0, 1, 499, 998, 999];
    for (const i of some) append(files[i] as string, [`${files[i]} 1`, `${files[i]} 2`]);
    await h.waitLines(1010);
    const late = h.records
      .slice(1000)
      .map((r) => r.line)
      .sort();
    expect(late).toEqual(some.flatMap((i) => [1, 2].map((n) => `${files[i]} ${n}`)).sort());
    expect(clock.pending).toBeLessThanOrEqual(2);
    expect(await h.metric("file_watched_directories")).toBe(1);
  }, 60_000);

  it("a recursive tree is watched per directory: 10 subdirectories of 100 files → 11 watches", async () => {
    for (let d = 0; d < 10; d++) fill(h.path(`tree/d${d}`), 100);
    const clock = new CountingClock();
    const source = await h.start(
      { path: h.path("tree"), recursive: true, start_at: "beginning", rescan: "1s" },
      { clock },
    );
    await source.caughtUp();
    expect(h.records.length).toBe(1000);
    expect(await h.metric("file_watched_directories")).toBe(11);
    expect(clock.pending).toBeLessThanOrEqual(2);
    append(h.path("tree/d7/f0042.log"), ["deep"]);
    await h.waitLines(1001);
    expect(h.records[1000]?.line).toBe("deep");
    await h.stop();
    expect(await h.metric("file_watched_directories")).toBe(0);
  }, 60_000);
});
