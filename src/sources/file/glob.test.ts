import os from "node:os";
import { describe, expect, it } from "vitest";
import { canDescend, compileExclude, compileGlob, expandPath, globMatches } from "./glob.js";

describe("glob", () => {
  it("expands ~/ and makes paths absolute", () => {
    expect(expandPath("~/logs/a.log")).toBe(`${os.homedir()}/logs/a.log`);
    expect(expandPath("x.log", "/var/log")).toBe("/var/log/x.log");
  });

  it("splits the static base off", () => {
    expect(compileGlob("/var/log/*/app.log").base).toBe("/var/log");
    expect(compileGlob("/var/log/app.log").base).toBe("/var/log");
  });

  it("matches *, ?, [..], {a,b} within one segment and ** across directories", () => {
    const g = compileGlob("/l/**/app-?.{log,txt}");
    expect(globMatches(g, "/l/app-1.log")).toBe(true);
    expect(globMatches(g, "/l/a/b/app-2.txt")).toBe(true);
    expect(globMatches(g, "/l/a/app-12.log")).toBe(false);
    expect(globMatches(g, "/l/.hidden/app-1.log")).toBe(false);
    expect(globMatches(compileGlob("/l/*.log"), "/l/a/b.log")).toBe(false);
    expect(globMatches(compileGlob("/l/*.log"), "/l/.b.log")).toBe(false);
    expect(globMatches(compileGlob("/l/[ab]*.log"), "/l/b1.log")).toBe(true);
    expect(globMatches(compileGlob("/l/[!ab]*.log"), "/l/b1.log")).toBe(false);
  });

  it("knows which directories can hold matches", () => {
    const g = compileGlob("/l/*/logs/*.log");
    expect(canDescend(g.segments, ["x"])).toBe(true);
    expect(canDescend(g.segments, ["x", "logs"])).toBe(true);
    expect(canDescend(g.segments, ["x", "other"])).toBe(false);
    expect(canDescend(compileGlob("/l/**/*.log").segments, ["a", "b", "c"])).toBe(true);
  });

  it("excludes by file name, or by whole path when the pattern has a /", () => {
    expect(compileExclude("*.gz")("/l/a/x.log.gz")).toBe(true);
    expect(compileExclude("*.gz")("/l/a/x.log")).toBe(false);
    expect(compileExclude("/l/skip/**")("/l/skip/a/x.log")).toBe(true);
    expect(compileExclude("/l/skip/**")("/l/keep/x.log")).toBe(false);
  });
});
