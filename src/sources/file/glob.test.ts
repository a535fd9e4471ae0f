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

describe("glob segments compiled by picomatch (bash's rules)", () => {
  const matches = (pattern: string, name: string): boolean => globMatches(compileGlob(`/l/${pattern}`), `/l/${name}`);

  it.each([
    ["{a,{b,c}}", ["a", "b", "c"], ["{b", "c}", "ab", "{a,{b,c}}"]],
    ["app{1..3}.log", ["app1.log", "app2.log", "app3.log"], ["app0.log", "app4.log", "app12.log", "app{1..3}.log"]],
    ["app{8..11}.log", ["app8.log", "app10.log", "app11.log"], ["app1.log", "app12.log", "app7.log"]],
    ["app{01..03}.log", ["app01.log", "app03.log"], ["app1.log", "app04.log"]],
    ["app{3..1}.log", ["app1.log", "app3.log"], ["app4.log"]],
    ["x{a..c}", ["xa", "xc"], ["xd", "x"]],
    ["n{1..9..4}", ["n1", "n5", "n9"], ["n2", "n4"]],
    ["[]]", ["]"], ["[]]", "a", "[", "]]"]],
    ["[]a]x", ["]x", "ax"], ["bx"]],
    ["\\*", ["*"], ["a", "\\*", ""]],
    ["a\\?b*", ["a?b", "a?bc"], ["axb"]],
    ["[[:digit:]].log", ["5.log"], ["a.log", "55.log", ":.log"]],
    ["[![:digit:]]*", ["a1"], ["1a"]],
    ["file(1)*.log", ["file(1).log", "file(1)x.log"], ["file1.log"]],
    ["!a*", ["!ab"], ["b", "ab"]],
    ["*.log", ["a.log"], [".a.log"]],
    [".*.log", [".a.log"], ["a.log"]],
  ])("%s", (pattern, yes, no) => {
    for (const name of yes) expect(matches(pattern, name), `${pattern} ~ ${name}`).toBe(true);
    for (const name of no) expect(matches(pattern, name), `${pattern} !~ ${name}`).toBe(false);
  });

  it("an escaped wildcard is a literal segment: it belongs to the base, unescaped", () => {
    const g = compileGlob("/l/a\\*b/*.log");
    expect(g.base).toBe("/l/a*b");
    expect(globMatches(g, "/l/a*b/x.log")).toBe(true);
    expect(globMatches(g, "/l/aXb/x.log")).toBe(false);
  });

  it("a huge range is a user error, not a regex of a million alternatives", () => {
    expect(() => compileGlob("/l/app{1..1000000}.log")).toThrow(/over 10000 values/);
  });

  it("exclude patterns get the same rules", () => {
    expect(compileExclude("*.{gz,{xz,zst}}")("/l/a.log.zst")).toBe(true);
    expect(compileExclude("app{1..3}.log")("/l/app2.log")).toBe(true);
    expect(compileExclude("app{1..3}.log")("/l/app4.log")).toBe(false);
  });
});
