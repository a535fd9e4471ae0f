import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileSource } from "../src/sources/file/source.js";
import { append, Harness, numbered, waitFor } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms" };

/** Lines with a prefix, in the order they were delivered. */
function withPrefix(prefix: string): string[] {
  return h.lines().filter((l) => l.startsWith(prefix + " "));
}

function fdCount(): number {
  return fs.readdirSync("/proc/self/fd").length;
}

/**
 * Two files found at start, the loop held in the first one's first batch: the other, adopted with its first
 * bytes, is not read yet (the order a torture run hit). Returns the other file and its line prefix.
 */
let letGo: () => void = () => {};
async function heldInFirstBatch(): Promise<{ other: string; name: string }> {
  const files = { a: h.path("a.log"), b: h.path("b.log") };
  append(files.a, numbered("a", 0, 40));
  append(files.b, numbered("b", 0, 40));
  let held!: (file: string) => void;
  const holding = new Promise<string>((resolve) => (held = resolve));
  const released = new Promise<void>((resolve) => (letGo = resolve));
  h.gate = async (batch, index) => {
    if (index > 0) return;
    held(String(batch.records[0]?.file));
    await released;
  };
  await h.start({ path: h.path("*.log"), start_at: "beginning", ...fast });
  const first = await holding;
  return first === files.a ? { other: files.b, name: "b" } : { other: files.a, name: "a" };
}

/** While the loop is held: keep (or not) a copy, truncate, write fewer new lines; then let the loop go on. */
function rewriteWhileHeld(file: string, keep: (file: string) => void): void {
  keep(file);
  fs.truncateSync(file, 0);
  append(file, numbered("new", 0, 10)); // shorter than what it replaced: a copy still covers the offsets read
  letGo();
}

describe("file source: rotations", () => {
  it("rename+create: reads the old file to its end while the writer still appends to it, and the new file", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    const writer = fs.openSync(file, "a");
    fs.writeSync(
      writer,
      numbered("a", 0, 10)
        .map((l) => l + "\n")
        .join(""),
    );
    await h.waitLines(10);
    fs.renameSync(file, h.path("app.log.1"));
    fs.writeSync(writer, "a 10\n"); // the app has not reopened its log yet
    append(file, numbered("b", 0, 5));
    fs.writeSync(writer, "a 11\n");
    await h.waitLines(17);
    fs.closeSync(writer);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 12));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 5));
    expect(h.records.filter((r) => r.line.startsWith("b ")).every((r) => r.file === file)).toBe(true);
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "old file released");
    expect(await h.metric("file_rotations_total", { kind: "rename" })).toBe(1);
  });

  it("rename of a file that was quiet for longer than rotate_wait: rotate_wait counts from the rotation", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    await (await h.start({ path: file, rescan: "200ms", rotate_wait: "1s" })).caughtUp();
    const writer = fs.openSync(file, "a");
    fs.writeSync(writer, "a 0\n");
    await h.waitLines(1);
    const quietSince = Date.now();
    await waitFor(() => Date.now() - quietSince > 1500, "the file quiet for longer than rotate_wait");
    fs.renameSync(file, h.path("app.log.1"));
    append(file, ["b 0"]);
    await h.waitLines(2);
    expect(h.logs.some((l) => l.msg.startsWith("file rotated"))).toBe(true);
    fs.writeSync(writer, "a 1\n"); // the app writes once more before it reopens its log
    fs.closeSync(writer);
    await h.waitLines(3);
    expect(withPrefix("a")).toEqual(["a 0", "a 1"]);
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "old file released after rotate_wait");
  });

  it("copytruncate: the unread tail comes from the copy, then the truncated file from 0; nothing lost or repeated", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    append(file, numbered("a", 0, 100));
    await h.waitLines(100);
    // No await between these: the source cannot read the new lines before the copy and truncation.
    append(file, numbered("a", 100, 200));
    fs.copyFileSync(file, h.path("app.log.1"));
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 50));
    await h.waitLines(250);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 200));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 50));
    expect(await h.metric("file_rotations_total", { kind: "copytruncate" })).toBe(1);
    append(file, ["b 50"]);
    await h.waitLines(251);
    expect(h.lines().length).toBe(251);
  });

  it("copytruncate between a file's discovery and its first read: old lines from the copy, new ones once", async () => {
    const { other, name } = await heldInFirstBatch();
    const copy = (file: string) => fs.copyFileSync(file, `${file}.1`);
    rewriteWhileHeld(other, copy);
    await h.waitLines(90);
    expect(withPrefix(name)).toEqual(numbered(name, 0, 40));
    expect(withPrefix("new")).toEqual(numbered("new", 0, 10));
    expect(h.lines()).toHaveLength(90);
    append(other, ["new 10"]);
    await h.waitLines(91);
    expect(h.lines()).toHaveLength(91);
  });

  it("truncated and written again before its first read, no copy: the new lines once, the loss said", async () => {
    const { other } = await heldInFirstBatch();
    rewriteWhileHeld(other, () => {});
    await h.waitLines(50);
    expect(withPrefix("new")).toEqual(numbered("new", 0, 10));
    await waitFor(
      () => h.logs.some((l) => l.msg.startsWith("file truncated and no rotated copy found")),
      "the warning",
    );
    append(other, ["new 10"]);
    await h.waitLines(51);
    expect(h.lines()).toHaveLength(51);
  });

  it("copytruncate with a glob that also matches the copy: the copy is not read twice", async () => {
    const file = h.path("app.log");
    append(file, numbered("a", 0, 20));
    const source = await h.start({ path: h.path("app.log*"), start_at: "beginning", ...fast });
    await source.caughtUp();
    expect(h.lines()).toEqual(numbered("a", 0, 20));
    append(file, numbered("a", 20, 40));
    fs.copyFileSync(file, h.path("app.log.1"));
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 10));
    await h.waitLines(50);
    h.source?.reopen?.(); // a rescan runs before the marker below is read
    append(file, ["b 10"]);
    await h.waitLines(51);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 40));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 11));
  });

  it("copy first seen by the glob, truncation noticed later: still no loss, no repeat", async () => {
    const file = h.path("app.log");
    append(file, numbered("a", 0, 20));
    const source = await h.start({ path: h.path("app.log*"), start_at: "beginning", ...fast });
    await source.caughtUp();
    fs.copyFileSync(file, h.path("app.log.1"));
    h.source?.reopen?.();
    append(file, ["a 20"]); // the copy is a strict prefix now; wait until it is classified
    await h.waitLines(21);
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 5));
    await h.waitLines(26);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 21));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 5));
  });

  it("a new file that only begins like an open one (same header) is read whole once it grows", async () => {
    const fields = "#Fields: " + Array.from({ length: 40 }, (_, i) => `field-${i}`).join(" ");
    const header = `#Software: test\n${fields}\n`; // longer than the identity checksum covers
    fs.writeFileSync(h.path("day1.log"), header + "day1 line\n");
    const source = await h.start({ path: h.path("day*.log"), start_at: "beginning", ...fast });
    await source.caughtUp();
    fs.writeFileSync(h.path("day2.log"), header); // looks like a copy of day1.log's first bytes for now
    await (h.source as FileSource).settle();
    fs.appendFileSync(h.path("day2.log"), "day2 line\n");
    await h.waitLines(6);
    expect(h.records.filter((r) => r.file === h.path("day2.log")).map((r) => r.line)).toEqual([
      "#Software: test",
      fields,
      "day2 line",
    ]);
    expect(h.logs.some((l) => l.msg.includes("taken for a copy has grown"))).toBe(true);
  });

  it("start_at end: of two files alike when started, the one taken for a copy reads only its new lines when it grows", async () => {
    const same = ["same line 1", "same line 2"];
    append(h.path("a.log"), same);
    append(h.path("b.log"), same);
    const source = await h.start({ path: h.path("*.log"), ...fast });
    await source.caughtUp();
    append(h.path("b.log"), ["b new"]);
    append(h.path("a.log"), ["a new"]);
    await h.waitLines(2);
    await (h.source as FileSource).settle();
    expect(h.lines().sort()).toEqual(["a new", "b new"]);
  });

  it("truncated and rewritten past the old offset before we looked: noticed by the head checksum", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    append(file, numbered("a", 0, 3));
    await h.waitLines(3);
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 20));
    await h.waitLines(23);
    expect(withPrefix("b")).toEqual(numbered("b", 0, 20));
    expect(h.lines().length).toBe(23);
  });

  it("plain truncation (no copy anywhere): the file is read again from 0, with a warning", async () => {
    const file = h.path("app.log");
    append(file, numbered("a", 0, 100));
    const source = await h.start({ path: file, start_at: "beginning", ...fast });
    await source.caughtUp();
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 5));
    await h.waitLines(105);
    expect(withPrefix("b")).toEqual(numbered("b", 0, 5));
    expect(h.logs.some((l) => l.level === "warn" && l.msg.includes("no rotated copy"))).toBe(true);
    expect(await h.metric("file_rotations_total", { kind: "truncate" })).toBe(1);
    expect(h.logs.filter((l) => l.level === "error")).toEqual([]);
  });

  it("delete+recreate: the open descriptor is read to its end, the new file from its start, the old one released", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    const writer = fs.openSync(file, "a");
    fs.writeSync(writer, "a 0\n");
    await h.waitLines(1);
    fs.unlinkSync(file);
    fs.writeSync(writer, "a 1\na 2\n");
    fs.closeSync(writer);
    append(file, numbered("b", 0, 3));
    await h.waitLines(6);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 3));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 3));
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "deleted file released");
    const fileCheckpoints = (): number =>
      [...(h.store?.list("app").values() ?? [])].filter((cp) => cp.path === file).length;
    await waitFor(() => fileCheckpoints() === 1, "checkpoint of the deleted file dropped");
  });

  it("stop while a deleted file still has unread lines: they are read to its end at stop, the unfinished last line too", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    const writer = fs.openSync(file, "a");
    fs.writeSync(writer, "a 0\n");
    await h.waitLines(1);
    // Megabytes the source cannot have read yet, then the only link goes and the source is stopped at once.
    const lines = numbered("a", 1, 60_001);
    fs.writeSync(writer, lines.map((l) => l + "\n").join("") + "a unfinished");
    fs.unlinkSync(file);
    fs.closeSync(writer);
    await h.stop();
    expect(withPrefix("a")).toEqual([...numbered("a", 0, 60_001), "a unfinished"]);
    expect(h.logs.some((l) => l.msg === "read a deleted file to its end before stopping")).toBe(true);
  });

  it("a glob matching rotated names (app.log.1) recognises them by identity and does not read them again", async () => {
    const file = h.path("app.log");
    append(file, numbered("a", 0, 10));
    const source = await h.start({ path: h.path("app.log*"), start_at: "beginning", ...fast });
    await source.caughtUp();
    fs.renameSync(h.path("app.log"), h.path("app.log.1"));
    append(file, numbered("b", 0, 10));
    await h.waitLines(20);
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "rotated file released");
    h.source?.reopen?.();
    append(file, ["b 10"]);
    await h.waitLines(21);
    expect(withPrefix("a")).toEqual(numbered("a", 0, 10));
    expect(withPrefix("b")).toEqual(numbered("b", 0, 11));
  });

  it("releases every descriptor of removed files (fd count back to baseline)", async () => {
    const source = await h.start({ path: h.path("*.log"), ...fast });
    await source.caughtUp();
    const baseline = fdCount();
    for (let i = 0; i < 5; i++) append(h.path(`f${i}.log`), [`line ${i}`]);
    await h.waitLines(5);
    await waitFor(async () => (await h.metric("file_open_files")) === 5, "5 open files");
    expect(fdCount()).toBeGreaterThanOrEqual(baseline + 5);
    for (let i = 0; i < 5; i++) fs.unlinkSync(h.path(`f${i}.log`));
    // Both at once: the count is the whole test process's, and a descriptor of an earlier test closing late could
    // bring it back to the baseline while one of these files is still open.
    await waitFor(
      async () => (await h.metric("file_open_files")) === 0 && fdCount() <= baseline,
      () => `no open file and fd count back to ${baseline} (now ${fdCount()})`,
    );
  });

  it("follow newest: reads only the newest file, switches to a newer one from its start and lets the old one go", async () => {
    append(h.path("old.log"), ["old 0"]);
    append(h.path("cur.log"), ["cur 0"]);
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(h.path("old.log"), past, past);
    const source = await h.start({ path: h.path("*.log"), follow: "newest", start_at: "beginning", ...fast });
    await source.caughtUp();
    expect(h.lines()).toEqual(["cur 0"]);
    append(h.path("cur.log"), ["cur 1"]);
    await h.waitLines(2);
    append(h.path("next.log"), ["next 0", "next 1"]);
    await h.waitLines(4);
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "previous newest released");
    append(h.path("next.log"), ["next 2"]);
    await h.waitLines(5);
    expect(h.lines()).toEqual(["cur 0", "cur 1", "next 0", "next 1", "next 2"]);
  });
});
