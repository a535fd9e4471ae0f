// The byte replay path (pushBytes) against the text path (pushText) on random access-log lines and chunkings.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FakeClock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { LineSplitter } from "./input.js";
import { createStatsJob } from "./job.js";
import { statsJobSchema } from "./schema.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);

const host = fc.constantFrom("10.0.0.1", "10.0.0.2", "192.168.100.200", "::1", "a", "h\u00e9", "-");
const stamp = fc.record({
  second: fc.integer({ min: 0, max: 40 }),
  day: fc.constantFrom("21", "21", "21", "32"),
  zone: fc.constantFrom("+0000", "+0000", "-0130", "+0x00"),
});
const path = fc.constantFrom("/", "/api/user/1", "/api", "/a?b=1", "/?q", "//x", "/#f", "http://h.example/x/y", "http://h", "*", "", "/caf\u00e9/1", "/\u2603");
const request = fc.oneof(
  fc.tuple(fc.constantFrom("GET", "POST", "G\u00c9T"), path, fc.constantFrom(" HTTP/1.1", "", " HTTP/1.0 x")).map(([m, p, v]) => `${m} ${p}${v}`),
  fc.constantFrom("-", "", "GET", "GET  HTTP/1.1", 'GET /q\\"x HTTP/1.1', "GET /a\\\\ HTTP/1.1"),
);
const quotedField = fc.constantFrom("-", "http://ref.example/", 'Mozilla/5.0 (X11) \\"q\\"', "agent \u00e9", "\\\\");
const extras = fc.oneof(
  fc.constant(""),
  fc.tuple(quotedField, quotedField).map(([r, a]) => ` "${r}" "${a}"`),
  fc.tuple(quotedField, quotedField).map(([r, a]) => ` "${r}" "${a}" rt=0.1`),
);

const validLine = fc
  .record({ host, stamp, request, status: fc.constantFrom("200", "304", "404", "503", "000", "999", "20x"), bytes: fc.constantFrom("512", "-", "0", "1234567890123456", "--", "12a"), extras })
  .map((l) => {
    const s = String(l.stamp.second % 60).padStart(2, "0");
    const m = String(Math.floor(l.stamp.second / 60)).padStart(2, "0");
    return `${l.host} - - [${l.stamp.day}/Nov/2026:04:${m}:${s} ${l.stamp.zone}] "${l.request}" ${l.status} ${l.bytes}${l.extras}`;
  });

/** Bytes a line may have overwritten: structure characters, NUL, CR, and bytes that are not (or only start) UTF-8. */
const oddByte = fc.constantFrom(0x20, 0x22, 0x5c, 0x5b, 0x5d, 0x2d, 0x2f, 0x00, 0x0d, 0x78, 0xff, 0xc3, 0xe2, 0x80);

const lineBytes = fc.oneof(
  { weight: 6, arbitrary: validLine.map((l) => Buffer.from(l)) },
  {
    weight: 3,
    arbitrary: fc.tuple(validLine, fc.array(fc.tuple(fc.nat(), oddByte), { minLength: 1, maxLength: 3 })).map(([l, edits]) => {
      const bytes = Buffer.from(l);
      for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
      return bytes;
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.filter((x) => x !== 10))) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from("\r"), Buffer.from(" ")) },
);

function runner(format: string) {
  const events: LogEvent[] = [];
  const config = statsJobSchema.parse({ source: "x", format, interval: "5s", top: 20, top_capacity: 10, alert: { above: 1, over: "3s" }, lateness: "2s" });
  const job = createStatsJob("p", config, { clock: new FakeClock(T0), logger: silentLogger, metrics: new Metrics(), live: false, emit: (e) => events.push(e) });
  return { job, events };
}

/** Cut the input at the given offsets (sorted, deduplicated) into chunks. */
function chunks(input: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...at, input.length]) {
    out.push(input.subarray(start, cut));
    start = cut;
  }
  return out;
}

describe("LineFeeder.pushBytes", () => {
  it("reports exactly what the text path reports, on any lines and chunk boundaries (property)", () => {
    fc.assert(
      fc.property(
        fc.array(lineBytes, { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom("combined", "common", "auto"),
        fc.boolean(),
        (lines, cuts, format, finalNewline) => {
          const input = Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 || finalNewline ? [l, Buffer.from("\n")] : [l])));
          const text = runner(format);
          const bytes = runner(format);
          const textSplitter = new LineSplitter(1 << 20, 64);
          const byteSplitter = new LineSplitter(1 << 20, 64);
          for (const chunk of chunks(input, cuts)) {
            for (const piece of textSplitter.push(chunk)) text.job.pushText(piece);
            for (const piece of byteSplitter.pushBytes(chunk)) bytes.job.pushBytes(piece);
          }
          const rest = textSplitter.end();
          if (rest) text.job.pushText(rest);
          const restBytes = byteSplitter.endBytes();
          if (restBytes.length > 0) bytes.job.pushBytes(restBytes);
          text.job.finish();
          bytes.job.finish();
          expect(bytes.events).toEqual(text.events);
          expect(bytes.job.state()).toEqual(text.job.state());
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("takes the byte scanner for an ASCII combined log and decodes a non-ASCII line as UTF-8", () => {
    const line = (h: string, p: string) => `${h} - - [21/Nov/2026:04:00:01 +0000] "GET ${p} HTTP/1.1" 200 5 "-" "t"`;
    const { job, events } = runner("combined");
    job.pushBytes(Buffer.from(`${line("10.0.0.1", "/api/x")}\r\n${line("h\u00e9", "/caf\u00e9/1")}\n\n${line("10.0.0.1", "/")}`));
    job.finish();
    expect(events.find((e) => e.kind === "stats")?.data).toMatchObject({
      hits: 3,
      sections: [{ name: "/", hits: 1 }, { name: "/api", hits: 1 }, { name: "/caf\u00e9", hits: 1 }],
      hosts: [{ name: "10.0.0.1", hits: 2 }, { name: "h\u00e9", hits: 1 }],
    });
  });
});
