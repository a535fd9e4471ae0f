import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SectionFinder, sectionOf } from "./report.js";

describe("sectionOf", () => {
  it.each([
    ["/api/user/1", "/api"],
    ["/", "/"],
    ["/index.html", "/index.html"],
    ["/api", "/api"],
    ["/api/", "/api"],
    ["/search?q=a/b", "/search"],
    ["/?x=1", "/"],
    ["/#top", "/"],
    ["//double", "/"],
    ["http://example.org/pages/create", "/pages"],
    ["https://example.org", "/"],
    ["*", "*"],
  ])("%s → %s", (path, section) => {
    expect(sectionOf(path)).toBe(section);
  });
});

describe("SectionFinder", () => {
  it("finds the range sectionOf slices, inside a larger text or its UTF-8 bytes (property)", () => {
    const part = fc.constantFrom("/", "//", "api", "?", "#", ":", "://", "http", "h.example", "x", "\u00e9", "");
    const path = fc.array(part, { maxLength: 8 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), path, fc.string({ maxLength: 4 }), (before, p, after) => {
        fc.pre(p !== "");
        const finder = new SectionFinder();
        const text = before + p + after;
        finder.find(text, before.length, before.length + p.length);
        expect(text.slice(finder.start, finder.end)).toBe(sectionOf(p));
        const bytes = Buffer.from(text);
        const from = Buffer.byteLength(before);
        finder.findBytes(bytes, from, from + Buffer.byteLength(p));
        expect(bytes.toString("utf8", finder.start, finder.end)).toBe(sectionOf(p));
      }),
      { numRuns: 3000 },
    );
  });
});
