// Splitting and escaping for chat messages: limits respected, nothing lost, no broken characters or escapes.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapeFences, escapeSlack, escapeSlackChar, splitText } from "./text.js";

describe("splitText", () => {
  it("keeps short text whole and splits long text into chunks within the limit", () => {
    expect(splitText("hello", 10)).toEqual(["hello"]);
    expect(splitText("", 10)).toEqual([""]);
    expect(splitText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  it("never splits a surrogate pair and loses nothing", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.integer({ min: 2, max: 50 }), (text, max) => {
        const chunks = splitText(text, max);
        expect(chunks.join("")).toBe(text);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(max);
          expect(chunk).toBe(Buffer.from(chunk, "utf8").toString("utf8")); // no lone surrogate halves
        }
      }),
    );
  });

  it("measures escaped text and never cuts inside an escape", () => {
    const chunks = splitText("a&b<c>d&e", 6, escapeSlackChar);
    expect(chunks.join("")).toBe(escapeSlack("a&b<c>d&e"));
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(6);
      expect(chunk).not.toMatch(/&[a-z]*$/); // an entity is whole or absent
    }
  });
});

describe("escapeFences", () => {
  it("leaves no two backticks side by side", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("`", "a", "\n") }), (text) => {
        const escaped = escapeFences(text);
        expect(escaped).not.toContain("``");
        expect(escaped.replaceAll("\u200b", "")).toBe(text);
      }),
    );
  });
});

describe("escapeSlack", () => {
  it("escapes exactly &, < and >", () => {
    expect(escapeSlack("a & b <@U123> > c *bold*")).toBe("a &amp; b &lt;@U123&gt; &gt; c *bold*");
  });
});
