import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parsePattern, type Pattern } from "../core/pattern.js";
import type { Span } from "../core/untrusted-pattern.js";
import { expandLines, lineFrames, MAX_LINES_PER_EVENT, type ExpandedLine, type LinesEvent } from "./frames.js";
import type { HubLine } from "./hub.js";

/** The spans the sandbox computes, computed here directly. */
function spansOf(lines: HubLine[], pattern: Pattern | undefined): Span[] | undefined {
  if (!pattern) return undefined;
  return lines.map(({ line }) => {
    const m = pattern.regex?.exec(line);
    if (pattern.regex) return m ? [m.index, m.index + m[0].length] : null;
    const at = line.indexOf(pattern.source);
    return at < 0 ? null : [at, at + pattern.source.length];
  });
}

/** What one event per line used to say: the plain path the batched format must reproduce. */
function plain(lines: HubLine[], pattern: Pattern | undefined): ExpandedLine[] {
  const spans = spansOf(lines, pattern);
  const out: ExpandedLine[] = [];
  lines.forEach(({ g: _g, ...line }, i) => {
    const span = spans?.[i];
    if (span === null) return;
    out.push(span && span[1] > span[0] ? { ...line, hl: span } : line);
  });
  return out;
}

/** The g of the i-th line `plain` kept (lines' n are unique and increasing, so n finds it). */
function gOf(lines: HubLine[], kept: ExpandedLine[], i: number): number {
  return lines.find((l) => l.n === kept[i]?.n)?.g ?? -1;
}

function decode(text: string): { id: string | undefined; event: LinesEvent } {
  const id = /^id: (.*)$/m.exec(text)?.[1];
  const data = /^data: (.*)$/m.exec(text)?.[1] as string;
  return { id, event: JSON.parse(data) as LinesEvent };
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const hubLines = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      line: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("ERROR x", "a\u0000b", "\ud800 lone", "data: x\n\nid: 9", "<b>hi</b>"),
      ),
      file: maybe(fc.constantFrom("/var/log/a.log", "/var/log/b.log")),
      host: maybe(fc.constantFrom("web1", "web2")),
      rules: maybe(fc.array(fc.constantFrom("oom", "auth"), { minLength: 1, maxLength: 2 })),
    }),
    { maxLength: 60 },
  )
  .map((specs) => {
    let n = 0;
    return specs.map(({ gap, line, file, host, rules }): HubLine => {
      const hub: HubLine = { n: (n += gap), g: n + 1000, source: "app", time: 1_700_000_000_000 + n, line };
      if (file !== undefined) hub.file = file;
      if (host !== undefined) hub.host = host;
      if (rules !== undefined) hub.rules = rules;
      return hub;
    });
  });
/** Small caps, so the property runs meet many event boundaries; the default is MAX_LINES_PER_EVENT. */
const perEvent = fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constant(MAX_LINES_PER_EVENT));
const patterns = fc.constantFrom(undefined, "a", "ERROR", "/[0-9]+/", "/^$/", "%x|y%", "/(?:)/");

describe("lineFrames (the `lines` wire format)", () => {
  test("decoded, the events give exactly the lines one event per line would, with file and host carried over", () => {
    fc.assert(
      fc.property(hubLines, patterns, perEvent, (lines, text, max) => {
        const pattern = text === undefined ? undefined : parsePattern(text);
        const frames = lineFrames("app", lines, spansOf(lines, pattern), "ep", max);
        const decoded = frames.map((f) => decode(f.text));
        expect(decoded.flatMap((d) => expandLines(d.event))).toEqual(plain(lines, pattern));
        expect(frames.map((f) => f.lines)).toEqual(decoded.map((d) => d.event.lines.length));
      }),
      { numRuns: 300 },
    );
  });

  test(
    "events hold at most maxPerEvent lines; each id is at or after " +
      "its last line and before the next event's first",
    () => {
      fc.assert(
        fc.property(hubLines, patterns, perEvent, (lines, text, max) => {
          const pattern = text === undefined ? undefined : parsePattern(text);
          const decoded = lineFrames("app", lines, spansOf(lines, pattern), "ep", max).map((f) => decode(f.text));
          decoded.forEach(({ id, event }, i) => {
            expect(event.lines.length).toBeGreaterThan(0);
            expect(event.lines.length).toBeLessThanOrEqual(max);
            const n = Number(id?.replace(/^ep-/, ""));
            expect(n).toBeGreaterThanOrEqual(event.lines[event.lines.length - 1]?.n ?? Infinity);
            const next = decoded[i + 1]?.event.lines[0]?.n;
            if (next !== undefined) expect(n).toBeLessThan(next);
          });
          // The last event covers every line given, matched or not, so a resume does not look at them again.
          if (decoded.length > 0) expect(decoded[decoded.length - 1]?.id).toBe(`ep-${lines[lines.length - 1]?.n}`);
        }),
        { numRuns: 300 },
      );
    },
  );

  test("a stream of every source: each line keeps its source, n is the hub-wide g, ids resume on g", () => {
    const mixed = hubLines.chain((lines) =>
      fc
        .array(fc.constantFrom("app", "db", "nginx"), { minLength: lines.length, maxLength: lines.length })
        .map((names) => lines.map((line, i) => ({ ...line, g: i * 2 + 1, source: names[i] as string }))),
    );
    fc.assert(
      fc.property(mixed, patterns, perEvent, (lines, text, max) => {
        const pattern = text === undefined ? undefined : parsePattern(text);
        const decoded = lineFrames(null, lines, spansOf(lines, pattern), "ep", max).map((f) => decode(f.text));
        const expected = plain(lines, pattern).map((line, i, all) => ({ ...line, n: gOf(lines, all, i) }));
        expect(decoded.flatMap((d) => expandLines(d.event))).toEqual(expected);
        expect(decoded.every((d) => d.event.source === null)).toBe(true);
        if (decoded.length > 0) expect(decoded[decoded.length - 1]?.id).toBe(`ep-${lines[lines.length - 1]?.g}`);
      }),
      { numRuns: 300 },
    );
  });

  test("a file or host that stops is sent as null", () => {
    const lines: HubLine[] = [
      { n: 1, g: 1, source: "s", time: 1, line: "a", file: "/f", host: "h" },
      { n: 2, g: 2, source: "s", time: 2, line: "b" },
    ];
    const { event } = decode(lineFrames("s", lines, undefined, "ep")[0]?.text ?? "");
    expect(event.lines).toEqual([
      { n: 1, time: 1, line: "a", file: "/f", host: "h" },
      { n: 2, time: 2, line: "b", file: null, host: null },
    ]);
    expect(expandLines(event)).toEqual(lines.map(({ g: _g, ...line }) => line));
  });

  test("long lines make events of their own, and a cut line says how long it was", () => {
    const long = "x".repeat(600);
    const lines: HubLine[] = [1, 2, 3, 4].map((n) => ({ n, g: n, source: "s", time: n, line: long }));
    (lines[3] as HubLine).cut = 5000;
    const events = lineFrames("s", lines, undefined, "ep", 500, 1000).map((f) => decode(f.text).event);
    expect(events.map((e) => e.lines.length)).toEqual([1, 1, 1, 1]);
    expect(events[3]?.lines[0]?.cut).toBe(5000);
    expect(lineFrames("s", lines, undefined, "ep", 500, 1200).map((f) => decode(f.text).event.lines.length)).toEqual([
      2, 2,
    ]);
  });
});
