// The required-literal extraction against real RegExp: it may say too little, never something a match lacks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { literalOptions, requiredLiterals, type LiteralSet } from "./literals.js";
import { longestShared } from "./literals-narrow.js";

/** ASCII case folding only, as the byte prefilter folds. */
const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
/** A line as the prefilters read it: a newline before it, so a literal can be anchored at its start. */
const admits = (set: LiteralSet, line: string): boolean => {
  const hay = "\n" + (set.fold ? foldAscii(line) : line);
  return set.literals.some((l) => hay.includes(l));
};

describe("requiredLiterals on everyday shapes", () => {
  it.each([
    ['\\/api\\/v[0-9]+\\/[a-z]+(\\?id=[0-9]+)? HTTP\\/1\\.[01]" 5[0-9]{2} ', "", ["/api/v"]],
    // One needle shared by the branches is cheaper to search for than three (calibrate.ts counts both in real lines).
    ['" (?:502|503|504) \\d+ ', "", ['" 50']],
    ["wp-admin|phpmyadmin|\\.env HTTP", "i", ["wp-admin", "phpmyadmin", ".env http"]],
    ["orders\\?id=\\d*37 ", "", ["orders?id="]],
    ["OutOfMemoryError|Killed process \\d+", "", ["OutOfMemoryError", "Killed process "]],
    ["^(?:GET|POST) /admin", "", ["T /admin"]],
    ['^1\\.2\\.\\d+\\.\\d+ .*" 404 ', "", ["\n1.2."]],
    ["(?:^|x)ab", "", ["\nab", "xab"]],
    ["(?:A|B).*timeout", "", ["timeout"]],
    ["x\\u0041\\x42\\/\\.\\-", "", ["xAB/.-"]],
  ])("/%s/%s needs one of %j", (source, flags, expected) => {
    const set = requiredLiterals(source, flags);
    expect(set?.literals).toEqual(expected);
    expect(set?.fold).toBe(flags.includes("i"));
  });

  it("offers the narrower forms of a set: strings cut to fewer, and the piece they share", () => {
    const options = literalOptions('\\/api\\/orders\\/[0-9]+\\/items HTTP\\/1\\.[01]" 5[0-9]{2} ', "", 64);
    const offered = options.map((set) => set.literals);
    expect(offered[0]).toEqual(["/api/orders/"]);
    expect(offered).toContainEqual(['/items HTTP/1.0" 5', '/items HTTP/1.1" 5']);
    expect(offered).toContainEqual(["/items HTTP/1."]);
    expect(offered).toContainEqual(['" 5']);
    const caseless = literalOptions("(?:GET|POST) /wp-login\\.php", "i", 64).map((set) => set.literals);
    expect(caseless).toContainEqual(["get /wp-login.php", "post /wp-login.php"]);
    expect(caseless[0]).toEqual(["t /wp-login.php"]);
  });

  it("gives nothing it cannot stand behind", () => {
    expect(requiredLiterals("error", "iu")).toBeUndefined(); // Unicode folding reaches beyond ASCII
    expect(requiredLiterals("a.*|b", "")).toBeUndefined(); // one branch is a single common letter
    expect(requiredLiterals(".*", "")).toBeUndefined();
    expect(requiredLiterals("(?:abc)?ey*", "")).toBeUndefined();
    expect(requiredLiterals("[^x]+ \\d+", "")).toBeUndefined();
    // A branch matching "" beside one with many strings: shortening the union must keep it saying nothing.
    expect(requiredLiterals("\\/*|([sk]é|wp-|(\\dwp-|wp-{3,}))wp-{0,2}", "")).toBeUndefined();
  });

  it("treats a non-ASCII letter under /i as any character", () => {
    expect(requiredLiterals("café crème", "i")?.literals).toEqual(["caf"]);
    expect(new RegExp("café", "i").test("CAFÉ")).toBe(true);
  });
});

const ATOMS = [
  "wp-", "admin", "HTTP", "502", "id=", "GET", "xyz", "Kelvin", "café", "qu",
  "a", "b", "x", "K", "s", "0", "5", "7", " ", "/", '"', "é", "ſ", "\u212A",
  "\\/", "\\.", "\\?", "\\d", "\\w", "\\s", "\\S", "\\u0041", "\\x62",
  "[0-9]", "[01]", "[a-c]", "[^\"]", "[A-Fa-f]", "[ab-]", "[\\]a]", "[é]", "[sk]", ".",
  "[34]", "[0-9]{2}", "5[0-9]{2}", "(?:GET|POST)", "(?:ab|ba|x)", "HTTP\\/1\\.[01]", "[Kk]elvin",
]; // prettier-ignore
/** Atoms fast-check cannot build matching strings for, or that only some modes accept: rarer. */
const EXOTIC = ["\\-", "\\b", "\\u{73}", "\\1", "^", "$", "{", "}", "(?=a)", "(?<!b)"];

const { regex } = fc.letrec((tie) => ({
  atom: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: fc.constantFrom(...ATOMS), weight: 8 },
    { arbitrary: fc.constantFrom(...EXOTIC), weight: 1 },
    { arbitrary: tie("group"), weight: 2 },
  ),
  group: fc
    .tuple(fc.constantFrom("(", "(?:", "(?:", "(?<g>", "(?=", "(?<!"), tie("alternation"))
    .map(([open, inner]) => `${open}${inner as string})`),
  piece: fc
    .tuple(tie("atom"), fc.constantFrom("", "", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "{3,}", "+?", "??"))
    .map(([a, q]) => `${a as string}${q}`),
  sequence: fc.array(tie("piece"), { minLength: 1, maxLength: 6 }).map((parts) => (parts as string[]).join("")),
  alternation: fc.array(tie("sequence"), { minLength: 1, maxLength: 3 }).map((bs) => (bs as string[]).join("|")),
  regex: tie("alternation"),
}));
/** Distinct group names, so that nesting does not make the regex invalid. */
const named = (source: string): string => {
  let n = 0;
  return source.replace(/\(\?<g>/g, () => `(?<g${n++}>`);
};

const LINE_CHARS = ["a", "A", "b", "B", "x", "X", "k", "K", "s", "S", "\u212A", "ſ", "é", "É", "0", "1", "5", "7"];
const lineChars = fc.string({ unit: fc.constantFrom(...LINE_CHARS, " ", "/", ".", "?", '"', "-", "]", "{", "}") });

/** A line the regex matches when fast-check can build one for it, else an arbitrary line. */
function lineFor(re: RegExp): fc.Arbitrary<string> {
  let matching: fc.Arbitrary<string> | undefined;
  try {
    matching = fc
      .tuple(lineChars, fc.stringMatching(new RegExp(re.source.replace(/^\^|\$$/g, ""), re.flags)), lineChars)
      .map(([a, m, b]) => a + m + b);
  } catch {
    matching = undefined; // lookarounds and back-references are beyond stringMatching
  }
  return matching ? fc.oneof(matching, lineChars) : lineChars;
}

describe("requiredLiterals never rejects a matching line", () => {
  it("holds for random patterns from a grammar of everyday shapes and random lines", () => {
    let checked = 0;
    const case_ = fc
      .tuple((regex as fc.Arbitrary<string>).map(named), fc.constantFrom("", "i", "u", "iu", "m", "s"))
      .chain(([source, flags]) => {
        let re: RegExp | undefined;
        try {
          re = new RegExp(source, flags);
        } catch {
          re = undefined; // invalid in this mode (a lone "{" under u, a duplicate group name): not configurable
        }
        return fc.tuple(fc.constant(re), re ? fc.array(lineFor(re), { maxLength: 6 }) : fc.constant([]));
      });
    fc.assert(
      fc.property(case_, ([re, lines]) => {
        if (!re) return;
        // Every option offered (the calibration may pick any), narrowed ones included, is a sound prefilter.
        const sets = literalOptions(re.source, re.flags, 64);
        expect(sets[0]).toEqual(requiredLiterals(re.source, re.flags));
        for (const line of lines)
          if (re.test(line))
            for (const set of sets) {
              checked++;
              const why = `${String(re)} matches ${JSON.stringify(line)}, set ${JSON.stringify(set)}`;
              expect(admits(set, line), why).toBe(true);
            }
      }),
      { numRuns: 1000, seed: 16 },
    );
    expect(checked).toBeGreaterThan(120); // the lines really exercised the claim
  });
});

describe("longestShared", () => {
  /** The plain definition: every length from the longest down, every position in order. */
  const reference = (set: readonly string[]): string | undefined => {
    const shortest = set.reduce((a, b) => (b.length < a.length ? b : a));
    for (let length = shortest.length; length > 0; length--)
      for (let at = 0; at + length <= shortest.length; at++) {
        const piece = shortest.slice(at, at + length);
        if (set.every((s) => s.includes(piece))) return piece;
      }
    return undefined;
  };

  it("finds the piece the plain definition finds (the first of the longest), or none", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "c", "/", "1"), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (set) => {
        expect(longestShared(set)).toBe(reference(set));
      }),
      { numRuns: 5000, seed: 16 },
    );
    expect(longestShared(["wp-admin/setup-1.php", "phpmyadmin-1"])).toBe("admin");
    expect(longestShared(["abc", "xyz"])).toBeUndefined();
  });
});
