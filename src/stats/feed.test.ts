// The replay fast path (lines scanned on the read bytes, ranges, the arena top-K) against the plain path (a string
// per line, its full parse, string-keyed counts).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FakeClock } from "../core/clock.js";
import { accessHit, HIT, INVALID, type LineFormat, type ParsedLine } from "../parsers/access.js";
import { createAccessFormat, type AccessFormatName } from "../parsers/formats.js";
import { createTrafficAnalyzer, type TrafficAlert, type TrafficAnalyzer } from "./analyzer.js";
import { LineFeeder } from "./feed.js";
import { LineSplitter } from "./input.js";
import type { StatsReport } from "./report.js";
import { ReferenceIntervalCounts } from "./testing/counts-reference.js";
import { anyValidLine, chunks, joinLines, lineBytes } from "./testing/lines.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);

function analyzerFor(plain: boolean) {
  const out: (StatsReport | TrafficAlert)[] = [];
  const analyzer = createTrafficAnalyzer(
    {
      interval: 5000,
      window: 3000,
      threshold: 1,
      top: 20,
      lateness: 2000,
      live: false,
      capacity: 10,
      ...(plain ? { newCounts: (capacity: number) => new ReferenceIntervalCounts(capacity) } : {}),
      onReport: (r) => out.push(r),
      onAlert: (a) => out.push(a),
    },
    new FakeClock(T0),
  );
  return { analyzer, out };
}

/** The plain path: a string per line, the full parse into fields, a hit made of those strings. */
function plainFeed(format: LineFormat, analyzer: TrafficAnalyzer, text: string): number {
  let lines = 0;
  for (let line of text.split("\n")) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "") continue;
    lines++;
    const parsed: ParsedLine = { fields: {}, time: NaN };
    const outcome = format.parse(line, parsed);
    if (outcome === INVALID) analyzer.invalid();
    if (outcome !== HIT) continue;
    const { host, path, status, bytes } = parsed.fields;
    analyzer.add(
      accessHit({
        time: parsed.time,
        host: String(host ?? "-"),
        path: String(path ?? ""),
        status: Number(status ?? 0),
        bytes: Number(bytes ?? 0),
      }),
    );
  }
  return lines;
}

describe("LineFeeder.pushBytes with the interval counts", () => {
  it("reports what a string per line and string-keyed counts report, on any lines and chunk cuts (property)", () => {
    fc.assert(
      fc.property(
        fc.array(lineBytes(anyValidLine), { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom<AccessFormatName>("combined", "common", "auto", "w3c-csv"),
        fc.boolean(),
        (lines, cuts, format, finalNewline) => {
          const input = joinLines(lines, finalNewline);
          const fast = analyzerFor(false);
          const feeder = new LineFeeder(createAccessFormat(format), fast.analyzer);
          const splitter = new LineSplitter();
          for (const chunk of chunks(input, cuts))
            for (const lines of splitter.push(chunk)) feeder.pushBytes(lines, NaN);
          feeder.pushBytes(splitter.end(), NaN);
          const plain = analyzerFor(true);
          const lineCount = plainFeed(createAccessFormat(format), plain.analyzer, input.toString("utf8"));
          fast.analyzer.finish();
          plain.analyzer.finish();
          expect(fast.out).toEqual(plain.out);
          expect(fast.analyzer.state()).toEqual(plain.analyzer.state());
          expect(feeder.lines).toBe(lineCount);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
