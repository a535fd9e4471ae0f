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
      "D=\"line\\nbreak 'q'\"",
      "E=value # trailing comment",
      "F=",
      "not an assignment",
      "G=a=b",
    ].join("\r\n");
    expect(parseDotenv(text)).toEqual({
      A: "1",
      B: "two words",
      C: "single $quoted # not comment",
      D: "line\nbreak 'q'",
      E: "value",
      F: "",
      G: "a=b",
    });
  });
});

describe("parseDotenv: multi-line values and what is not an assignment", () => {
  test.each([
    ["double", '"'],
    ["single", "'"],
    ["back", "`"],
  ])("a %s-quoted value spans lines, keeping # and = inside it, and the keys after it", (_, q) => {
    const text = [
      "export A=1",
      `KEY=${q}-----BEGIN KEY-----`,
      "# not a comment here",
      "x=y",
      `-----END KEY-----${q}`,
      "B=2",
    ];
    for (const eol of ["\n", "\r\n"]) {
      const vars = parseDotenv(text.join(eol));
      // Node's parser turns CRLF inside a value into LF.
      expect(vars.KEY).toBe(["-----BEGIN KEY-----", "# not a comment here", "x=y", "-----END KEY-----"].join("\n"));
      expect(vars).toMatchObject({ A: "1", B: "2" });
      expect(Object.keys(vars).sort()).toEqual(["A", "B", "KEY"]);
    }
  });

  test("quotes of one kind hold the others; a comment after a quoted value is dropped", () => {
    const text = [
      `S='say "hi" \`now\`'`,
      `D="it's # not a comment"   # comment`,
      "B=`both ' and \"`",
      "P=${X:-d}",
    ].join("\n");
    expect(parseDotenv(text)).toEqual({
      S: 'say "hi" `now`',
      D: "it's # not a comment",
      B: "both ' and \"",
      P: "${X:-d}",
    });
  });

  test("a line that is not an assignment never glues itself to the next key", () => {
    const vars = parseDotenv(["garbage", "K=v", "more garbage", "", "  # indented", "   ", "L=w", "M"].join("\n"));
    expect(vars).toEqual({ K: "v", L: "w" });
  });

  test("an unterminated quote is read as one line and does not swallow the file", () => {
    const vars = parseDotenv(['U="never closed', "garbage", "M=after"].join("\n"));
    expect(vars.M).toBe("after");
    expect(Object.keys(vars).sort()).toEqual(["M", "U"]);
  });

  test("the last assignment of a key wins; the parsed values feed ${VAR:-default} interpolation", () => {
    const vars = parseDotenv('K=1\nK="two\nlines"\nE=');
    expect(vars).toEqual({ K: "two\nlines", E: "" });
    expect(interpolate("[${K}] [${E:-empty}] [${NONE:-dflt}]", vars)).toEqual({
      ok: true,
      value: "[two\nlines] [empty] [dflt]",
      changed: true,
    });
  });

  test("any text: parsing never throws and only yields valid names", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("A", "=", "\n", "#", '"', "'", "`", " ", "x", "\\") }), (text) => {
        for (const key of Object.keys(parseDotenv(text))) expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }),
      { numRuns: 500, seed: 19 },
    );
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
