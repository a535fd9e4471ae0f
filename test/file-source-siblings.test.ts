// Files created and rotated away while logward was stopped: found beside the path, read oldest first, never replayed.
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRotatedName } from "../src/sources/file/siblings.js";
import { append, Harness, haveLogrotate, logrotate, numbered, waitFor } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms" };

/** Set a file's modification time (seconds from now). */
function age(file: string, seconds: number): void {
  const t = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, t, t);
}

/** Run once and stop: the state then holds a save time, and app.log's identity at its end. */
async function firstRun(file: string, config: Record<string, unknown>): Promise<void> {
  append(file, numbered("a", 0, 5));
  await h.start(config);
  await h.waitCheckpoint(file, fs.statSync(file).size);
  await h.stop();
}

describe("rotated names", () => {
  it("recognises numbered and dated rotations of a name, not compressed ones nor other files", () => {
    for (const name of ["app.log.1", "app.log.12", "app.log-20261121", "app-20261121.log", "app-2026-11-21.log"])
      expect(isRotatedName("app.log", name), name).toBe(true);
    expect(isRotatedName("app.log", "app.1.log")).toBe(true);
    for (const name of ["app.log", "app.log.2.gz", "app.log.1.zst", "application.log", "app.err", "app.log.bak"])
      expect(isRotatedName("app.log", name), name).toBe(false);
    expect(isRotatedName("app", "app.1")).toBe(true);
    expect(isRotatedName("app", "apple")).toBe(false);
  });
});

describe("file source: files rotated away while stopped", () => {
  it.skipIf(!haveLogrotate)(
    "logrotate `rotate 1` reuses app.log.1: the file written and rotated while stopped is read before the live one",
    async () => {
      const file = h.path("app.log");
      const config = { path: file, ...fast };
      await firstRun(file, config);
      const rules = "  create\n  rotate 1\n  missingok";
      logrotate(h, file, rules); // a (all delivered) → app.log.1
      append(file, numbered("b", 0, 40));
      logrotate(h, file, rules); // a deleted, b → app.log.1: b has no checkpoint
      append(file, numbered("c", 0, 3));
      await h.restart(config);
      await h.waitLines(43);
      expect(h.lines()).toEqual([...numbered("b", 0, 40), ...numbered("c", 0, 3)]);
      await waitFor(async () => (await h.metric("file_open_files")) === 1, "the rotated file released");
      // Its checkpoint is gone with it, and it is older than the last save now: the next run leaves it alone.
      await h.restart(config);
      append(file, ["c 3"]);
      await h.waitLines(1);
      await (h.source as { settle(): Promise<void> }).settle();
      expect(h.lines()).toEqual(["c 3"]);
    },
  );

  it("the path itself is missing at the restart (rotated away, not created again yet)", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    await firstRun(file, config);
    fs.unlinkSync(file); // delivered whole, then deleted by a rotation
    append(file, numbered("b", 0, 10));
    fs.renameSync(file, h.path("app.log.1"));
    await h.restart(config);
    await h.waitLines(10);
    expect(h.lines()).toEqual(numbered("b", 0, 10));
  });

  it("dated names, oldest first; a compressed one is skipped", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    await firstRun(file, config);
    append(file, numbered("a", 5, 7));
    fs.renameSync(file, h.path("app.log-20261120")); // known: its tail is read from its checkpoint
    append(h.path("app-20261122.log"), numbered("d", 0, 10));
    age(h.path("app-20261122.log"), 2);
    append(h.path("app.log-20261121"), numbered("c", 0, 10));
    age(h.path("app.log-20261121"), 1);
    append(h.path("app.log-20261119.gz"), numbered("z", 0, 10));
    append(file, numbered("e", 0, 5));
    await h.restart(config);
    await h.waitLines(27);
    await (h.source as { settle(): Promise<void> }).settle();
    expect(h.lines()).toEqual([
      ...numbered("a", 5, 7),
      ...numbered("c", 0, 10),
      ...numbered("d", 0, 10),
      ...numbered("e", 0, 5),
    ]);
  });

  it("an old sibling modified before the last save, or one read and let go, is not read again", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    append(h.path("app.log.9"), numbered("old", 0, 5)); // never read: older than the first run
    age(h.path("app.log.9"), -3600);
    fs.writeFileSync(file, "");
    await (await h.start(config)).caughtUp();
    append(file, numbered("a", 0, 20));
    await h.waitLines(20);
    fs.renameSync(file, h.path("app.log.1")); // read live, then let go: its checkpoint is dropped
    append(file, numbered("b", 0, 5));
    await h.waitLines(25);
    await waitFor(
      () => [...(h.store?.list("app").values() ?? [])].filter((cp) => typeof cp.path === "string").length === 1,
      "the rotated file's checkpoint dropped",
    );
    await h.restart(config);
    append(file, ["b 5"]);
    await h.waitLines(1);
    await (h.source as { settle(): Promise<void> }).settle();
    expect(h.lines()).toEqual(["b 5"]);
  });
});
