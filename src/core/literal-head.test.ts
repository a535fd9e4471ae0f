import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headMatch, headTest, literalHead } from "./literal-head.js";
import { parsePattern } from "./pattern.js";

const NONE: Record<string, string> = Object.freeze({});

/** Atoms a head may be made of (each a literal character, escaped or not), and what may follow one. */
const HEAD_ATOMS = ["a", "b", "A", "/", "-", " ", '"', "'", "\\/", "\\.", "\\-", "\\\\", "\\(", "\\[", "\\{", "\\|"];
const MORE_ATOMS = ["\\*", "\\$", "\\^", '\\"', "}", "]", "1"];
const QUANTIFIERS = ["", "", "", "", "", "", "", "", "?", "*", "+", "{2}", "{1,2}", "{", "*?", "+?"];
const TAIL_ATOMS = [
  ...HEAD_ATOMS,
  ".",
  "[ab]",
  "[^a]",
  "[\\]a]",
  "[|]",
  "\\d",
  "\\w",
  "\\s",
  "\\b",
  "\\B",
  "(a|b)",
  "(?:ab|a)",
  "(a+)",
  "(?<=a)",
  "(?<!b)",
  "(?=a)",
  "(?!b)",
  "\\1",
  "(?<n>a)",
  "\\k<n>",
  "|",
  "$",
  "^",
  "\\n",
  "\\x41",
  "\\u0062",
  "(a*)*",
];
const atom = (atoms: readonly string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...atoms), fc.constantFrom(...QUANTIFIERS)).map(([a, q]) => a + q);
const source = fc
  .tuple(
    fc.constantFrom("", "", "^"),
    fc.array(atom([...HEAD_ATOMS, ...MORE_ATOMS]), { minLength: 1, maxLength: 5 }),
    fc.array(atom(TAIL_ATOMS), { maxLength: 4 }),
  )
  .map(([anchor, head, tail]) => anchor + head.join("") + tail.join(""));
/** Mostly flags the split takes (without i and u): the others must be left alone, fewer of them are needed. */
const flags = fc.oneof(
  { arbitrary: fc.constantFrom("", "m", "s", "ms"), weight: 4 },
  { arbitrary: fc.subarray(["i", "m", "s", "u"]).map((f) => f.join("")), weight: 1 },
);
const LINE_UNITS = [
  "a",
  "b",
  "A",
  "B",
  "/",
  "-",
  ".",
  "\\",
  "(",
  "[",
  "{",
  "|",
  "*",
  "$",
  "^",
  '"',
  "'",
  " ",
  "\n",
  "1",
];

/** A regex and lines made from its own characters (so its head occurs, overlaps and repeats) and others. */
const cases = fc
  .tuple(source, flags)
  .map(([src, f]) => {
    try {
      return new RegExp(src, f);
    } catch {
      return undefined;
    }
  })
  .filter((re): re is RegExp => re !== undefined)
  .chain((re) => {
    const own = [...re.source.replace(/\\/g, "")];
    const unit = fc.constantFrom(...LINE_UNITS, ...own);
    const piece = fc.oneof(fc.string({ unit, maxLength: 6 }), fc.constant(re.source.replace(/\\(.)/g, "$1")));
    return fc.tuple(
      fc.constant(re),
      fc.array(
        fc.array(piece, { maxLength: 5 }).map((p) => p.join("")),
        { maxLength: 8 },
      ),
    );
  });

/** The plain regex's answer in a pattern's shape. */
function plain(re: RegExp, line: string): { match: string } | undefined {
  const m = new RegExp(re.source, re.flags).exec(line);
  return m ? { match: m[0] } : undefined;
}

describe("literalHead", () => {
  it("finds exactly the regex's first match and answers test as the regex does, on random regexes and lines", () => {
    let split = 0;
    fc.assert(
      fc.property(cases, ([re, lines]) => {
        const head = literalHead(re.source, re.flags);
        if (!head) return;
        split++;
        for (const line of lines) {
          const found = headMatch(head, line, NONE);
          expect(found && { match: found.match }, `${String(re)} on ${JSON.stringify(line)}`).toEqual(plain(re, line));
          expect(headTest(head, line)).toBe(re.test(line));
        }
      }),
      { numRuns: 4000, seed: 16 },
    );
    // The property is about regexes that are split: most generated ones must be.
    expect(split).toBeGreaterThan(1000);
  });

  it("gives parsePattern's regex patterns the plain regex's matches, named groups included", () => {
    fc.assert(
      fc.property(cases, ([re, lines]) => {
        let pattern;
        try {
          pattern = parsePattern(`/${re.source}/${re.flags}`);
        } catch {
          return; // the logward dialect refuses some (Python-only syntax): not this test's subject
        }
        const regex = pattern.regex as RegExp;
        for (const line of lines) {
          const m = new RegExp(regex.source, regex.flags).exec(line);
          const groups: Record<string, string> = {};
          for (const [k, v] of Object.entries(m?.groups ?? {})) if (v !== undefined) groups[k] = v;
          expect(pattern.exec(line)).toEqual(m ? { match: m[0], groups } : undefined);
          expect(pattern.test(line)).toBe(m !== null);
        }
      }),
      { numRuns: 2000, seed: 61 },
    );
  });

  it("splits the everyday shapes at their literal heads", () => {
    const split = (src: string, f = "") => {
      const head = literalHead(src, f);
      return head && { head: head.head, anchored: head.anchored, tail: head.tail?.source };
    };
    expect(split("\\/api\\/user\\/7[0-9]* HTTP")).toEqual({
      head: "/api/user/7",
      anchored: false,
      tail: "[0-9]* HTTP",
    });
    expect(split("^4\\.28\\.\\d+")).toEqual({ head: "4.28.", anchored: true, tail: "\\d+" });
    expect(split('" (?:500|503) 152 "')).toEqual({ head: '" ', anchored: false, tail: '(?:500|503) 152 "' });
    expect(split("Failed password")).toEqual({ head: "Failed password", anchored: false, tail: undefined });
    // The last character before a quantifier is not certain: it stays with the rest.
    expect(split("ab+c")).toEqual({ head: "a", anchored: false, tail: "b+c" });
    expect(split("ab{2}")).toEqual({ head: "a", anchored: false, tail: "b{2}" });
  });

  it("leaves alone what a string search cannot answer alike", () => {
    expect(literalHead("x-trace-5", "i")).toBeUndefined(); // case folded
    expect(literalHead("ab", "u")).toBeUndefined(); // code points
    expect(literalHead("ab|cd", "")).toBeUndefined(); // a match need not start with the head
    expect(literalHead("ab(?<n>c)", "")).toBeUndefined(); // named groups need the match array
    expect(literalHead("^ab", "m")).toBeUndefined(); // ^ after any newline
    expect(literalHead("ab(c+)+d", "")).toBeUndefined(); // the guard's (guard.ts)
    expect(literalHead("a+b", "")).toBeUndefined(); // no head
    expect(literalHead("(ab)c", "")).toBeUndefined();
    expect(literalHead("a(b", "")).toBeUndefined(); // the rest alone does not compile
  });
});
