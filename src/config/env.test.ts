// Interpolation syntax and .env parsing.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { interpolate, parseDotenv } from "./env.js";

const env = { A: "alpha", EMPTY: "", N: "5" };

describe("interpolate", () => {
  test.each([
    ["plain text", "plain text"],
    ["${A}", "alpha"],
    ["x-${A}-y-${N}", "x-alpha-y-5"],
    ["${MISSING:-fallback}", "fallback"],
    ["${A:-fallback}", "alpha"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${MISSING:-}", ""],
    ["${MISSING:-http://x:1/y}", "http://x:1/y"],
    ["cost $$5", "cost $5"],
    ["$${A}", "${A}"],
    ["kill -HUP $(cat /run/app.pid)", "kill -HUP $(cat /run/app.pid)"],
    ["echo $HOME $", "echo $HOME $"],
  ])("%j → %j", (input, expected) => {
    expect(interpolate(input, env)).toEqual({ ok: true, value: expected, changed: expected !== input });
  });

  test("an unset variable without default is an error naming it", () => {
    const result = interpolate("Bearer ${TOKEN} and ${OTHER}", env);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(2);
      expect(result.errors[0]).toMatch(/environment variable TOKEN is not set/);
      expect(result.errors[1]).toMatch(/OTHER/);
    }
  });

  test("an empty variable is a value (no default asked for)", () => {
    expect(interpolate("[${EMPTY}]", env)).toEqual({ ok: true, value: "[]", changed: true });
  });

  test.each(["${A", "${}", "${1X}", "${A B}"])("malformed reference %j is an error", (input) => {
    expect(interpolate(input, env).ok).toBe(false);
  });
});

describe("parseDotenv", () => {
  test("assignments, export, comments, quotes", () => {
    const text = [
      "# comment",
      "A=1",
      "export B = two words ",
      "C='single $quoted # not comment'",
      'D="line\\nbreak \\"q\\""',
      "E=value # trailing comment",
      "F=",
      "not an assignment",
      "G=a=b",
    ].join("\r\n");
    expect(parseDotenv(text)).toEqual({
      A: "1",
      B: "two words",
      C: "single $quoted # not comment",
      D: 'line\nbreak "q"',
      E: "value",
      F: "",
      G: "a=b",
    });
  });
});

describe("properties", () => {
  test("text without $ is unchanged; any text with every $ doubled comes back as it was", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const plain = text.replaceAll("$", "");
        expect(interpolate(plain, env)).toEqual({ ok: true, value: plain, changed: false });
        const escaped = interpolate(
          text.replaceAll("$", () => "$$"),
          env,
        );
        expect(escaped.ok && escaped.value).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
