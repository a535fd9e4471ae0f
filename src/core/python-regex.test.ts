// The Python → JavaScript regex translator: hand-picked equivalents, refusals, and random patterns checked
// against Python's own `re` (when python3 is installed).
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "./errors.js";
import { compileRegex, parsePattern } from "./pattern.js";
import { translatePythonRegex } from "./python-regex.js";

const python = (source: string) => compileRegex(source, source, "", "python");

describe("Python syntax", () => {
  it.each([
    // [Python pattern, line that matches, line that does not]
    ["(?P<user>\\w+)@(?P<host>\\w+)", "bob@db", "bob at db"],
    ["(?P<w>[ab]+)-(?P=w)", "ab-ab", "ab-cd"],
    ["(?i)error", "ERROR here", "err"],
    ["(?s)a.b", "a\nb", "ab"],
    ["(?m)^two$", "one\ntwo", "one two"],
    ["(?x) a \\  b  # a, a space, b", "xa by", "ab"],
    ["(?i)(?s)A.B", "a\nb", "a"],
    ["\\Aab", "abc", "cab"],
    ["ab\\Z", "cab", "abc"],
    ["\\AAZ\\Z", "AZ", "xAZ"],
    ["a{,2}b\\Z", "aab", "aac"],
    ["x(?#a comment)y", "xy", "x(?#a comment)y"],
    ["[]a]+\\Z", "a]", "b"],
  ])("%s", (source, yes, no) => {
    const p = python(source);
    expect(p.test(yes)).toBe(true);
    expect(p.test(no)).toBe(false);
  });

  it("returns named groups as fields", () => {
    expect(python("user=(?P<user>\\w+)").exec("login user=alice")?.groups).toEqual({ user: "alice" });
  });

  it.each([
    ["(?(1)a|b)", /conditional groups/],
    ["(?>ab)", /atomic groups/],
    ["a*+", /possessive/],
    ["a{1,2}+", /possessive/],
    ["a(?i)b", /inline flags \(\?flags\) anywhere but at the start/],
    ["(?L)a", /locale flag/],
    ["\\N{DIGIT ONE}", /named characters/],
    ["(?u:a)", /scoped inline flags/],
  ])("refuses %s with PATTERN_UNSUPPORTED", (source, message) => {
    let thrown: unknown;
    try {
      python(source);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).code).toBe("PATTERN_UNSUPPORTED");
    expect((thrown as UserError).message).toMatch(message);
    expect((thrown as UserError).message).toContain(source);
  });
});

describe("logward patterns read the unambiguous Python forms", () => {
  it.each([
    ["/(?P<user>\\w+)=(?P=user)/", "a=a", "a=b"],
    ["/(?i)error/", "ERROR", "warn"],
    ["|\\Afoo|", "foo bar", "a foo"],
    ["%bar\\Z%", "foo bar", "bar foo"],
    ["/\\AAZ\\Z/", "AZ", "xAZ"], // \A and \Z used to match the letters A and Z
  ])("%s", (text, yes, no) => {
    const p = parsePattern(text);
    expect(p.test(yes)).toBe(true);
    expect(p.test(no)).toBe(false);
  });

  it("keeps what JavaScript means: [^] is any character, {,2} is literal text, flags after /re/ stay", () => {
    expect(parsePattern("/a[^]b/").test("a\nb")).toBe(true);
    expect(parsePattern("/a{,2}/").test("a{,2}")).toBe(true);
    expect(parsePattern("/a{,2}/").test("aa")).toBe(false);
    expect(translatePythonRegex("é", "u", "logward").flags).toBe("u");
  });

  it("keeps the prefilter literal of a translated pattern, and none under (?i)", () => {
    expect(parsePattern("/\\Aerror: (?P<what>\\w+)/").required).toBe("error: ");
    expect(parsePattern("/(?i)error/").required).toBeUndefined();
  });

  it("leaves every JavaScript regex without Python-only syntax unchanged", () => {
    fc.assert(
      fc.property(jsRegex(), (source) => {
        expect(translatePythonRegex(source, "", "logward").source).toBe(source);
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });
});

/** Random JavaScript regexes built from syntax both languages share, without \A, \Z and (?P. */
function jsRegex(): fc.Arbitrary<string> {
  const atom = fc.constantFrom("a", "b", ".", "\\d", "\\w", "[ab]", "[^a]", "\\.", "\\/", "(?:a|b)", "(?<n>a)", "\\b");
  const quant = fc.constantFrom("", "*", "+", "?", "{1,2}", "*?", "{2}");
  const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
  return fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(""));
}

/** Random Python patterns from a grammar of shared and Python-only syntax. */
function pythonRegex(): fc.Arbitrary<string> {
  const atom = fc.constantFrom("a", "b", "A", "Z", "_", " ", ".", "\\d", "\\w", "\\s", "[aZ]", "[^a]", "[]a]", "\\.");
  const quant = fc.constantFrom("", "", "*", "+", "?", "{,2}", "{1,2}", "*?", "{2}");
  const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
  const seq = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(""));
  const group = fc
    .tuple(fc.constantFrom("(?P<g>", "(?:", "(", "(?#note)("), seq, fc.constantFrom(")", ")?", ")+"))
    .map(([open, body, close]) => open + body + close);
  const part = fc.oneof(seq, group);
  const body = fc
    .tuple(fc.constantFrom("", "\\A", "^"), part, part, fc.constantFrom("", "\\Z", "$"))
    .map((p) => p.join(""));
  const alt = fc.oneof(
    body,
    fc.tuple(body, body).map(([x, y]) => `${x}|${y}`),
  );
  return fc
    .tuple(fc.constantFrom("", "(?i)", "(?s)", "(?i)(?s)", "(?m)"), alt)
    .map(([flags, re]) => flags + uniqueGroupNames(re));
}

/** Each `(?P<g>` gets its own name (g1, g2…): Python refuses a name defined twice. */
function uniqueGroupNames(re: string): string {
  let n = 0;
  return re.replaceAll("(?P<g>", () => `(?P<g${++n}>`);
}

const havePython = spawnSync("python3", ["--version"]).status === 0;
if (!havePython && process.env.CI === "true") throw new Error("python3 is required in CI for the translator check");

describe.skipIf(!havePython)("agrees with Python's re (python3)", () => {
  it("on random patterns and lines", () => {
    const cases = fc.sample(
      fc.tuple(pythonRegex(), fc.array(fc.stringMatching(/^[aAbZ_ .1x]{0,6}$/), { minLength: 8, maxLength: 8 })),
      { seed: 1206, numRuns: 400 },
    );
    const script = [
      "import json, re, sys",
      "out = []",
      "for pattern, lines in json.load(sys.stdin):",
      "    r = re.compile(pattern)",
      "    out.append([r.search(l) is not None for l in lines])",
      "print(json.dumps(out))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script], { input: JSON.stringify(cases), encoding: "utf8" });
    expect(run.stderr).toBe("");
    const expected = JSON.parse(run.stdout) as boolean[][];
    const disagreements = cases.flatMap(([pattern, lines], i) => {
      const p = python(pattern);
      return lines.filter((line, j) => p.test(line) !== expected[i]?.[j]).map((line) => ({ pattern, line }));
    });
    expect(disagreements).toEqual([]);
  });
});
