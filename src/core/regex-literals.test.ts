// The literals a regex's source says every match contains, against plain RegExp on random patterns and lines.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parsePattern } from "./pattern.js";
import { requiredLiteral } from "./regex-literals.js";

describe("requiredLiteral", () => {
  it.each([
    ["OutOfMemoryError", "OutOfMemoryError"],
    ["Killed process \\d+", "Killed process "],
    ["^ERROR .* timeout$", " timeout"],
    ["abcd*ef", "abc"],
    ["ab+cdef", "cdef"],
    ["a|b", undefined],
    ["(foo)bar", "foo"],
    ["[abc]xyz", "xyz"],
    ['wp-login\\.php[^"]*" 40[0-9] ', "wp-login.php"],
    ["(?:ab|cd)efg", "efg"],
    ["(abcd)?de", "de"],
    ["(?<name>abc)+", "abc"],
    ["(?=abcd)xy", "xy"],
    ["(?!abcd)x", undefined],
    ["\\u0041bc", "bc"],
    ["\\x41yz\\cJ", "yz"],
    ["\\p{L}{2}end", "end"],
    ["[\\]x]yz", "yz"],
    ["x\\.y\\.z", "x.y.z"],
    ["a{2}bcd", "bcd"],
  ])("%s needs %s", (source, expected) => {
    expect(requiredLiteral(source)).toBe(expected);
  });

  it("never claims a literal that a real match lacks", () => {
    const atom = fc.constantFrom("a", "b", "c", ".", "\\d", "x", "\\.", " ");
    const quant = fc.constantFrom("", "", "", "*", "+", "?", "{1,2}");
    const regexArb = fc
      .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.map(([a, q]) => a + q).join(""));
    fc.assert(
      fc.property(
        regexArb,
        fc.string({ unit: fc.constantFrom("a", "b", "c", "x", ".", " ", "1"), maxLength: 20 }),
        (source, text) => {
          const literal = requiredLiteral(source);
          const m = new RegExp(source).exec(text);
          if (m && literal !== undefined) expect(m[0]).toContain(literal);
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });

  it("never claims a literal that a real match lacks, with classes, groups and escapes", () => {
    const { regex } = fc.letrec((tie) => ({
      atom: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(
          "a",
          "b",
          "c",
          "x",
          ".",
          "\\d",
          "[ab]",
          "[^a]",
          "[\\]a]",
          "\\u0061",
          "\\x62",
          "\\b",
          "^",
          "$",
          "\\(",
          "\\[",
        ),
        tie("group"),
      ),
      group: fc
        .tuple(fc.constantFrom("(", "(?:", "(?<g>", "(?=", "(?!"), tie("alternation"))
        .map(([open, inner]) => `${open}${inner as string})`),
      piece: fc
        .tuple(tie("atom"), fc.constantFrom("", "", "", "*", "+", "?", "{1,2}", "+?"))
        .map(([a, q]) => `${a as string}${q}`),
      sequence: fc.array(tie("piece"), { minLength: 1, maxLength: 5 }).map((parts) => (parts as string[]).join("")),
      alternation: fc.array(tie("sequence"), { minLength: 1, maxLength: 2 }).map((bs) => (bs as string[]).join("|")),
      regex: tie("sequence"),
    }));
    fc.assert(
      fc.property(
        regex as fc.Arbitrary<string>,
        fc.string({ unit: fc.constantFrom("a", "b", "c", "x", "]", "(", "[", " ", "1"), maxLength: 20 }),
        (source, text) => {
          let re: RegExp;
          try {
            re = new RegExp(source);
          } catch {
            return; // a duplicate group name, say: not a pattern anyone can configure
          }
          const literal = requiredLiteral(source);
          const m = re.exec(text);
          if (m && literal !== undefined) expect(text).toContain(literal);
        },
      ),
      { numRuns: 5000, seed: 11 },
    );
  });
});

describe("branchLiterals", () => {
  it("gives one literal per top-level branch", () => {
    expect(parsePattern("/OutOfMemoryError|Killed process \\d+/").requiredAny).toEqual([
      "OutOfMemoryError",
      "Killed process ",
    ]);
    expect(parsePattern("/(a|b)cd|xyz/").requiredAny).toEqual(["cd", "xyz"]);
    expect(parsePattern("/(a|b)c|xyz/").requiredAny).toBeUndefined();
    expect(parsePattern("/ab\\|c|def/").requiredAny).toEqual(["ab|c", "def"]);
    expect(parsePattern("/abc|.*/").requiredAny).toBeUndefined();
    expect(parsePattern("/abc|def/i").requiredAny).toBeUndefined();
    expect(parsePattern("plain").requiredAny).toEqual(["plain"]);
  });

  it("never leaves out a line that matches", () => {
    const atom = fc.constantFrom("a", "b", "c", ".", "\\d", "x", "\\|", " ", "ab", "ca");
    const quant = fc.constantFrom("", "", "*", "+", "?");
    const branch = fc
      .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([a, q]) => a + q).join(""));
    const regexArb = fc.array(branch, { minLength: 2, maxLength: 4 }).map((bs) => bs.join("|"));
    fc.assert(
      fc.property(
        regexArb,
        fc.string({ unit: fc.constantFrom("a", "b", "c", "x", "|", " ", "1"), maxLength: 20 }),
        (source, text) => {
          const literals = parsePattern(`/${source}/`).requiredAny;
          if (literals && new RegExp(source).test(text)) expect(literals.some((l) => text.includes(l))).toBe(true);
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});
