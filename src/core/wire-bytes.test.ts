// WireBytes against the string path: the same bytes as Buffer.from(wireJson(event)) for anything a record may hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T0, matchEvent } from "../actions/exec/testing/helpers.js";
import type { LogEvent } from "./event.js";
import type { Fields, LogRecord } from "./record.js";
import { WireBytes } from "./wire-bytes.js";
import { wireJson } from "./wire.js";

/** Lines as they come: every ASCII control, quotes, backslashes, any Unicode, lone surrogates, long runs. */
const unicode = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "binary-ascii", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "\n", "\r", "\t", "\b", "\f", "\u0000", "\u001f", "\u007f", "\u2028", "\ud800"),
    maxLength: 20,
  }),
  fc.string({ unit: fc.constantFrom("\udfff", "é", "a", "€", "🎉", "/", "<"), maxLength: 20 }),
);
/** Lines about the scratch buffer's size (16 Ki units) and beyond, ASCII or not, with escapes at either end. */
const huge = fc
  .tuple(fc.integer({ min: 16 * 1024 - 2, max: 40_000 }), fc.constantFrom("a", '"', "é", "\ud800", "\u0001"), unicode)
  .map(([n, c, tail]) => `${c}${"x".repeat(n)}${tail}`);
const line = fc.oneof({ weight: 12, arbitrary: unicode }, { weight: 1, arbitrary: huge });
const offset = fc.oneof(
  fc.nat(),
  fc.integer({ min: 2 ** 31 - 1000, max: 2 ** 32 + 1000 }),
  fc.constantFrom(undefined, 0, -0, 9, 10, 99, 100, 2 ** 53 - 1, 2 ** 53, 1e21, -5, 1.5, Number.NaN, Infinity),
  // The 32-bit integer path's edges.
  fc.constantFrom(999_999_999, 1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 0.5 + 2 ** 30),
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 253402300799999 }),
  fc.integer({ min: T0 - 2000, max: T0 + 2000 }),
  fc.constantFrom(Number.NaN, -1, 1.5, 0, 999, 1000, 253402300800000, 8.64e15, 8.64e15 + 1, -62198755200000),
);
const fields: fc.Arbitrary<Fields> = fc.oneof(
  fc.constant({}),
  fc.dictionary(unicode, fc.oneof(unicode, fc.integer(), fc.double(), fc.boolean(), fc.constant(null))),
);
const name = fc.oneof(fc.constantFrom("app", "r1", "é", '"q"', ""), unicode);
const recordArb: fc.Arbitrary<LogRecord> = fc.record({
  time,
  source: name,
  file: fc.option(fc.oneof(fc.constant("/var/log/app.log"), unicode), { nil: undefined }),
  offset,
  line,
  fields,
});
const eventArb: fc.Arbitrary<LogEvent> = fc
  .tuple(fc.array(recordArb, { minLength: 1, maxLength: 4 }), name, fields)
  .map(([records, rule, f]) => ({ ...matchEvent([]), rule, fields: f, records }));

/** The event through one encoder into buffers of exactly the room prepare() asked for (more would hide overruns). */
function encode(wire: WireBytes, event: LogEvent): Buffer {
  const last = event.records.length - 1;
  const parts = event.records.map((record, i) => {
    const most = wire.prepare(event.rule, record, i === last ? event.fields : record.fields);
    const buf = Buffer.alloc(most);
    const end = wire.write(buf, 0);
    expect(end).toBeLessThanOrEqual(most);
    return buf.subarray(0, end);
  });
  return Buffer.concat(parts);
}

describe("WireBytes", () => {
  it("writes the bytes of wireJson for random records, one encoder across events (its caches)", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 6 }), (events) => {
        const wire = new WireBytes();
        for (const event of events) expect(encode(wire, event).toString("hex")).toBe(toHex(wireJson(event)));
      }),
      { numRuns: 600 },
    );
  });

  it("escapes every ASCII character as JSON.stringify does", () => {
    const wire = new WireBytes();
    for (let c = 0; c < 128; c++) {
      const text = `a${String.fromCharCode(c)}b${String.fromCharCode(c)}`;
      const event = matchEvent([text]);
      expect(encode(wire, event).toString()).toBe(wireJson(event));
    }
  });

  it("escapes a special byte at every place of the four-byte words, beside any other byte", () => {
    const wire = new WireBytes();
    const specials = ['"', "\\", "\u0000", "\n", "\u001f", " ", "!", "#", "[", "]", "\u007f", "~"];
    for (let length = 1; length <= 13; length++)
      for (let at = 0; at < length; at++)
        for (const special of specials)
          for (const filler of ["a", "!", "#", "\u0021", "\u001f", '"']) {
            const text = filler.repeat(at) + special + filler.repeat(length - at - 1);
            const event = matchEvent([text]);
            expect(encode(wire, event).toString()).toBe(wireJson(event));
          }
  });

  it("keeps each encoder's line when two prepare before either writes (they share a scratch buffer)", () => {
    const [one, two] = [new WireBytes(), new WireBytes()];
    const [a, b] = [matchEvent(['first "line"']), matchEvent(["second, longer line"])];
    const [ra, rb] = [a.records[0]!, b.records[0]!];
    const [bufA, bufB] = [Buffer.alloc(one.prepare("r", ra, {})), Buffer.alloc(two.prepare("r", rb, {}))];
    const endA = one.write(bufA, 0);
    const endB = two.write(bufB, 0);
    expect(bufA.toString("utf8", 0, endA)).toBe(wireJson(a));
    expect(bufB.toString("utf8", 0, endB)).toBe(wireJson(b));
  });

  it("keeps the time right across seconds, years and the cached second going back", () => {
    const wire = new WireBytes();
    const times = [T0, T0 + 999, T0 + 1000, T0 - 1, T0, 0, 253402300799999, 253402300800000, NaN, T0 + 0.5, T0];
    for (const t of times) {
      const event = matchEvent(["x"]);
      event.records[0]!.time = t;
      expect(encode(wire, event).toString()).toBe(wireJson(event));
    }
  });

  it("gives lone surrogates and other non-ASCII lines the bytes of the string path", () => {
    const wire = new WireBytes();
    for (const text of ["\ud800", "a\udfffb", "é", "🎉\u2028", `${"x".repeat(20_000)}\ud83d`, "\u0080"]) {
      const event = matchEvent([text], { fields: { [text]: text } });
      expect(encode(wire, event).equals(Buffer.from(wireJson(event)))).toBe(true);
    }
  });
});

function toHex(text: string): string {
  return Buffer.from(text).toString("hex");
}
