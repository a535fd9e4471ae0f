// Job paths: ~/ expansion, globs over real folders, archives and links left out.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expandHome, expandJobPath, globBase, segmentRegex } from "./paths.js";

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "logward-paths-")));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const touch = (p: string): void => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, "x\n");
};

describe("paths", () => {
  it("expands a leading ~/ only", () => {
    expect(expandHome("~/logs/a.log")).toBe(path.join(os.homedir(), "logs/a.log"));
    expect(expandHome("/var/~/a")).toBe("/var/~/a");
  });

  it("finds the folder a glob is rooted in", () => {
    expect(globBase("/var/log/app/*.log")).toBe("/var/log/app");
    expect(globBase("/var/log/**/x.log")).toBe("/var/log");
    expect(globBase("/var/log/app.log")).toBe("/var/log");
  });

  it("matches segments like a shell: no leading dots, classes, negation", () => {
    expect(segmentRegex("*.log").test("app.log")).toBe(true);
    expect(segmentRegex("*.log").test(".app.log")).toBe(false);
    expect(segmentRegex("app[0-9].log").test("app7.log")).toBe(true);
    expect(segmentRegex("app[!0-9].log").test("app7.log")).toBe(false);
    expect(segmentRegex("a?c.log").test("abc.log")).toBe(true);
    expect(segmentRegex("a+b.log").test("a+b.log")).toBe(true);
  });

  it("expands * and ** but skips archives, temp files, dotfiles and linked folders", async () => {
    touch(path.join(dir, "a.log"));
    touch(path.join(dir, "b.txt"));
    touch(path.join(dir, "a-20261121-041500.log"));
    touch(path.join(dir, "a-20261121-041500.log.gz.logward-tmp"));
    touch(path.join(dir, ".a.log.logward-lock"));
    touch(path.join(dir, "sub", "deep", "c.log"));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "logward-outside-"));
    try {
      touch(path.join(outside, "secret.log"));
      fs.symlinkSync(outside, path.join(dir, "linked"));
      expect((await expandJobPath(path.join(dir, "*.log"))).files).toEqual([path.join(dir, "a.log")]);
      const deep = await expandJobPath(path.join(dir, "**/*.log"));
      expect(deep.files).toEqual([path.join(dir, "a.log"), path.join(dir, "sub", "deep", "c.log")]);
      expect(deep.dirs).toContain(path.join(dir, "sub", "deep"));
      expect(deep.base).toBe(dir);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("returns a plain path as is, even when missing", async () => {
    const missing = path.join(dir, "nope.log");
    expect(await expandJobPath(missing)).toEqual({ files: [missing], dirs: [dir], base: dir });
  });
});
