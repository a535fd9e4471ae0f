import { describe, expect, it } from "vitest";
import { PARSED_MAX, parsePattern } from "./pattern.js";
import { UserError } from "./errors.js";

describe("parsePattern", () => {
  it("serves every pattern of a config of thousands of rules from its memo on the next passes", () => {
    // Distinct texts, as a generated config has; the flag set is part of the text, so /x/ and /x/i stay apart.
    const texts = Array.from({ length: 5000 }, (_, i) => `/\\/api\\/user\\/${i}[0-9]* HTTP/${i % 2 ? "i" : ""}`);
    const first = texts.map(parsePattern);
    expect(texts.map(parsePattern)).toEqual(first);
    texts.forEach((text, i) => expect(parsePattern(text)).toBe(first[i]));
    expect(first[1]?.regex?.flags).toBe("i");
    expect(first[2]?.regex?.flags).toBe("");
    expect(parsePattern("/x/i")).not.toBe(parsePattern("/x/"));
    expect(PARSED_MAX).toBeGreaterThan(texts.length);
  });

  it("treats plain text as a case-sensitive literal", () => {
    const p = parsePattern("authentication failure");
    expect(p.kind).toBe("literal");
    expect(p.test("pam: authentication failure for bob")).toBe(true);
    expect(p.test("Authentication Failure")).toBe(false);
    expect(p.required).toBe("authentication failure");
  });

  it.each([
    ["/Out(Of)?Memory/", "java.lang.OutOfMemoryError"],
    ["|Out(Of)?Memory|", "java.lang.OutOfMemoryError"],
    ["%Out(Of)?Memory%", "java.lang.OutOfMemoryError"],
  ])("reads %s as a regex", (text, line) => {
    const p = parsePattern(text);
    expect(p.kind).toBe("regex");
    expect(p.test(line)).toBe(true);
    expect(p.test("OutMemor")).toBe(false);
  });

  it("takes flags after /re/ only", () => {
    expect(parsePattern("/error/i").test("ERROR")).toBe(true);
    expect(parsePattern("|error|i").kind).toBe("literal");
  });

  it("returns named groups as fields", () => {
    const m = parsePattern("/user=(?<user>\\w+) from (?<ip>[\\d.]+)/").exec("fail user=alice from 10.0.0.7");
    expect(m).toEqual({ match: "user=alice from 10.0.0.7", groups: { user: "alice", ip: "10.0.0.7" } });
  });

  it("keeps a lone slash or short text literal", () => {
    expect(parsePattern("/").kind).toBe("literal");
    expect(parsePattern("a/b").kind).toBe("literal");
    expect(parsePattern("/api/users").kind).toBe("literal");
  });

  it("rejects an invalid regex with a user error", () => {
    expect(() => parsePattern("/a(b/")).toThrow(UserError);
    expect(() => parsePattern("/a(b/")).toThrow(/invalid regex/);
  });
});

describe("parsePattern's memory of recent patterns", () => {
  it("gives one pattern per text while it remembers, and forgets past its bound (users type search patterns)", () => {
    const first = parsePattern("/memo-(a|b)+c/");
    expect(parsePattern("/memo-(a|b)+c/")).toBe(first);
    expect(first.exec("x memo-abac y")).toEqual({ match: "memo-abac", groups: {} });
    expect(first.test("memo-abac")).toBe(true); // no state kept between calls on the shared regex
    for (let i = 0; i < PARSED_MAX; i++) parsePattern(`memo filler ${i}`);
    const again = parsePattern("/memo-(a|b)+c/");
    expect(again).not.toBe(first);
    expect(again.source).toBe(first.source);
  });

  it("still throws for a bad regex every time (a failure is not remembered as a pattern)", () => {
    expect(() => parsePattern("/memo(/")).toThrow(UserError);
    expect(() => parsePattern("/memo(/")).toThrow(UserError);
  });
});
