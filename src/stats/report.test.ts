import { describe, expect, it } from "vitest";
import { sectionOf } from "./report.js";

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
