import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import { cutMarker } from "../src/sources/file/lines.js";
import type { FileSource } from "../src/sources/file/source.js";
import { append, asUnprivileged, Harness, numbered, waitFor } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms" };

describe("file source: reading", () => {
  it("start_at end ignores lines already there and reads new ones", async () => {
    const file = h.path("app.log");
    append(file, ["old 1", "old 2"]);
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    append(file, ["new 1", "new 2"]);
    await h.waitLines(2);
    expect(h.lines()).toEqual(["new 1", "new 2"]);
    expect(h.records[0]).toMatchObject({ source: "app", file, offset: 12, fields: {} });
    expect(typeof h.records[0]?.time).toBe("number");
  });

  it("start_at beginning reads what is there, in batches", async () => {
    const file = h.path("app.log");
    append(file, numbered("line", 0, 250_000));
    const source = await h.start({ path: file, start_at: "beginning", ...fast });
    await source.caughtUp();
    expect(h.lines()).toEqual(numbered("line", 0, 250_000));
    expect(h.batches.length).toBeGreaterThan(1);
    expect(await h.metric("file_lines_read_total")).toBe(250_000);
    expect(await h.metric("file_bytes_read_total")).toBe(fs.statSync(file).size);
  });

  it("emits only the lines holding a wanted literal, counts every line, and checkpoints past the rest", async () => {
    const file = h.path("app.log");
    const all = numbered("line", 0, 250_000).map((l, i) =>
      i % 1000 === 7 ? `${l} wp-login` : i % 1000 === 9 ? `${l} ERRÖR` : l,
    );
    append(file, all);
    h.wanted = ["wp-login", "ERRÖR"];
    const source = await h.start({ path: file, start_at: "beginning", ...fast });
    await source.caughtUp();
    const wanted = (l: string): boolean => l.includes("wp-login") || l.includes("ERRÖR");
    expect(h.lines().filter(wanted)).toEqual(all.filter(wanted));
    // A line split across two reads is emitted whole, unfiltered: at most one per read.
    expect(h.lines().length - all.filter(wanted).length).toBeLessThanOrEqual(h.batches.length);
    expect(h.records[1]).toMatchObject({ offset: Buffer.byteLength(all.slice(0, 9).join("\n") + "\n") });
    expect(await h.metric("file_lines_read_total")).toBe(250_000);
    append(file, ["tail wp-login", "tail other"]);
    await h.waitLines(h.records.length + 1);
    await h.restart({ path: file, start_at: "beginning", ...fast }, { once: true });
    await h.source?.caughtUp();
    expect(h.lines()).toEqual([]);
  });

  it("holds a partial line until its newline arrives", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    fs.appendFileSync(file, "hel");
    fs.appendFileSync(file, "lo");
    append(file, ["", "second"]);
    await h.waitLines(2);
    expect(h.lines()).toEqual(["hello", "second"]);
  });

  it("start_at end begins at the start of an unfinished last line", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "done\nhalf");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    append(file, [" a line"]);
    await h.waitLines(1);
    expect(h.lines()).toEqual(["half a line"]);
  });

  it("keeps going through invalid UTF-8, NUL bytes and CRLF", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, Buffer.concat([Buffer.from("a\xff\xfeb\n", "latin1"), Buffer.from("x\0y\r\nplain\n")]));
    const source = await h.start({ path: file, start_at: "beginning", ...fast });
    await source.caughtUp();
    expect(h.lines()).toEqual(["a\uFFFD\uFFFDb", "x\0y", "plain"]);
    expect(h.records.map((r) => r.offset)).toEqual([0, 5, 10]);
  });

  it("cuts lines longer than max_line_bytes, marks and counts them, and loses nothing after", async () => {
    const file = h.path("app.log");
    append(file, ["short", "x".repeat(5000), "after"]);
    const source = await h.start({ path: file, start_at: "beginning", max_line_bytes: 1024, ...fast });
    await source.caughtUp();
    expect(h.lines()).toEqual(["short", "x".repeat(1024) + cutMarker(5000 - 1024), "after"]);
    expect(await h.metric("file_lines_cut_total")).toBe(1);
  });

  it("multiline: a stack trace becomes one record; the last event is closed by the timeout", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, multiline: { start: "/^\\d{4}-/", timeout: "300ms" }, ...fast });
    await source.caughtUp();
    append(file, ["2026-01-01 error", "java.lang.Boom", "  at a.b(C.java:1)", "2026-01-01 ok"]);
    await h.waitLines(2);
    expect(h.lines()).toEqual(["2026-01-01 error\njava.lang.Boom\n  at a.b(C.java:1)", "2026-01-01 ok"]);
    expect(h.records[1]?.offset).toBe(Buffer.byteLength("2026-01-01 error\njava.lang.Boom\n  at a.b(C.java:1)\n"));
  });

  it("waits for a missing file, says so once, and reads it from its beginning when it appears", async () => {
    const file = h.path("later.log");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    await waitFor(() => h.logs.length > 0);
    append(file, ["first"]);
    await h.waitLines(1);
    expect(h.lines()).toEqual(["first"]);
    expect(h.logs.filter((l) => l.msg.includes("waiting for")).length).toBe(1);
    expect(h.logs.some((l) => l.msg.includes("is there now"))).toBe(true);
  });

  it("says once that it cannot open a file whose name is not valid UTF-8, and reads its neighbours", async () => {
    const dir = h.path("d");
    fs.mkdirSync(dir);
    // "bad\xff.log": Node decodes the name to "bad\uFFFD.log", which names no file.
    fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from(".log")]), "hidden\n");
    const source = await h.start({ path: `${dir}/*.log`, start_at: "beginning", ...fast });
    append(`${dir}/good.log`, ["seen"]);
    await h.waitLines(1);
    await source.settle?.(); // a second evaluation of the paths: still one warning
    await waitFor(() => h.logs.some((l) => l.msg.includes("not valid UTF-8")), "the warning");
    const warned = h.logs.filter((l) => l.msg.includes("not valid UTF-8"));
    expect(warned.map((l) => [l.level, l.obj])).toEqual([["warn", { file: `${dir}/bad\uFFFD.log` }]]);
    expect(h.lines()).toEqual(["seen"]);
  });

  it("waits for a missing directory too", async () => {
    const dir = h.path("sub");
    const source = await h.start({ path: `${dir}/*.log`, ...fast });
    await source.caughtUp();
    fs.mkdirSync(dir);
    append(`${dir}/a.log`, ["in a new dir"]);
    await h.waitLines(1);
    expect(h.lines()).toEqual(["in a new dir"]);
  });

  it("a missing directory two levels down is found by watch events on its nearest existing parent, not the rescan", async () => {
    const dir = h.path("a/b");
    const source = await h.start({ path: `${dir}/*.log`, rescan: "1h" }); // the rescan timer never comes
    await source.caughtUp();
    await waitFor(async () => (await h.metric("file_watched_directories")) === 1, "the existing parent watched");
    fs.mkdirSync(h.path("a"));
    fs.mkdirSync(dir);
    append(`${dir}/x.log`, ["in a directory that did not exist"]);
    await h.waitLines(1);
    expect(h.lines()).toEqual(["in a directory that did not exist"]);
    await waitFor(
      async () => (await h.metric("file_watched_directories")) === 1,
      "only the directory itself watched now",
    );
  });

  it("a watched directory deleted and made again is watched again", async () => {
    const dir = h.path("logs");
    fs.mkdirSync(dir);
    append(`${dir}/a.log`, ["before"]);
    const source = await h.start({ path: `${dir}/*.log`, start_at: "beginning", ...fast });
    await source.caughtUp();
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    append(`${dir}/a.log`, ["after"]);
    await h.waitLines(2);
    append(`${dir}/a.log`, ["and more"]);
    await h.waitLines(3);
    expect(h.lines()).toEqual(["before", "after", "and more"]);
  });

  it("globs, directories (recursive), exclude, and compressed archives left out", async () => {
    fs.mkdirSync(h.path("d/sub/deeper"), { recursive: true });
    append(h.path("d/a.log"), ["a"]);
    append(h.path("d/sub/b.log"), ["b"]);
    append(h.path("d/sub/deeper/c.txt"), ["c"]);
    append(h.path("d/sub/skip.log"), ["skip"]);
    fs.writeFileSync(h.path("d/old.log.gz"), "\x1f\x8b binary");
    const source = await h.start({
      path: h.path("d"),
      recursive: true,
      exclude: "skip.*",
      start_at: "beginning",
      ...fast,
    });
    await source.caughtUp();
    expect(h.lines().sort()).toEqual(["a", "b", "c"]);
    append(h.path("d/sub/deeper/new.log"), ["new"]);
    await h.waitLines(4);
    expect(h.lines()).toContain("new");
  });

  it("once: reads from the checkpoint to the current end, then resolves caughtUp; the next run sees only new lines", async () => {
    const file = h.path("app.log");
    append(file, ["one", "two"]);
    let source = await h.start({ path: file, start_at: "beginning" }, { once: true });
    await source.caughtUp();
    expect(h.lines()).toEqual(["one", "two"]);
    append(file, ["three"]);
    source = await h.restart({ path: file, start_at: "beginning" }, { once: true });
    await source.caughtUp();
    expect(h.lines()).toEqual(["three"]);
  });

  it("without directory watches (inotify limit), the periodic checks still find new lines and files; said once", async () => {
    const watch = vi.spyOn(fs, "watch").mockImplementation(() => {
      throw Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" });
    });
    try {
      const file = h.path("app.log");
      fs.writeFileSync(file, "");
      const source = await h.start({ path: h.path("*.log"), ...fast });
      await source.caughtUp();
      append(file, ["polled"]);
      append(h.path("other.log"), ["found by rescan"]);
      await h.waitLines(2);
      expect(h.lines().sort()).toEqual(["found by rescan", "polled"]);
      expect(h.logs.filter((l) => l.msg.includes("cannot watch directories")).length).toBe(1);
    } finally {
      watch.mockRestore();
    }
  });

  it("a quiet file that grows without a watch event is still read: the sweep looks at it every 10 s", async () => {
    const clock = new FakeClock();
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    // Writes through a hard link in another folder raise no event in the file's own (watched) folder: what an
    // NFS or FUSE folder, whose changes made elsewhere inotify never sees, looks like.
    fs.mkdirSync(h.path("elsewhere"));
    const link = h.path("elsewhere/app.log");
    fs.linkSync(file, link);
    const source = (await h.start({ path: file }, { clock })) as FileSource;
    await source.caughtUp();
    clock.advance(6_000); // quiet for longer than the 5 s after which sweeps look at it only every 10 s
    await source.idle();
    append(link, ["through a hard link"]);
    clock.advance(1_000);
    await source.idle();
    expect(h.lines()).toEqual([]); // the quiet file was skipped: what follows is the slow sweep's doing
    clock.advance(10_000);
    await source.idle();
    await h.waitLines(1);
    expect(h.lines()).toEqual(["through a hard link"]);
  });

  it("an unreadable file is reported once and read once it becomes readable", async () => {
    // Root reads any file whatever its mode, so as root the test runs as nobody (the harness's folder theirs).
    await asUnprivileged(h.dir, async () => {
      const file = h.path("secret.log");
      fs.writeFileSync(file, "");
      fs.chmodSync(file, 0o200); // writable, not readable: the test can still append to it
      const source = await h.start({ path: h.path("*.log"), ...fast });
      await source.caughtUp();
      await waitFor(() => h.logs.some((l) => l.msg.includes("cannot open")), "unreadable reported");
      append(file, ["now readable"]);
      fs.chmodSync(file, 0o644);
      await h.waitLines(1);
      expect(h.lines()).toEqual(["now readable"]);
      expect(h.logs.filter((l) => l.msg.includes("cannot open")).length).toBe(1);
      await h.stop();
    });
  });

  it("once: a file rotated while stopped is read to its end, including an unfinished last line once it is quiet", async () => {
    const file = h.path("app.log");
    const config = { path: file, rotate_wait: "100ms" };
    append(file, ["one"]);
    await (await h.start(config, { once: true })).caughtUp();
    append(file, ["two"]);
    fs.appendFileSync(file, "three, unfinished");
    fs.renameSync(file, h.path("app.log.1"));
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(h.path("app.log.1"), past, past);
    append(file, ["four"]);
    await (await h.restart(config, { once: true })).caughtUp();
    expect(h.lines().sort()).toEqual(["four", "three, unfinished", "two"]);
  });
});
