// Unit tests of the wire form: the JSON lines the file action (and every other action) writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T0, matchEvent, record } from "../actions/exec/testing/helpers.js";
import type { Fields, LogRecord } from "./record.js";
import { isoTime, timeText, wireEvent, wireJson, wireLines } from "./wire.js";

describe("wireLines", () => {
  it("writes one object per record with the documented keys, in order", () => {
    const event = matchEvent(["a", "b"], { kind: "threshold", fields: { user: "bob" } });
    event.records[0]!.fields = { status: 500 };
    const lines = wireJson(event).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines[0]).toBe(
      `{"time":"${new Date(T0).toISOString()}","source":"app","file":"/var/log/app.log","offset":0,` +
        `"line":"a","rule":"r","fields":{"status":500}}`,
    );
    expect(JSON.parse(lines[1]!)).toEqual({
      time: new Date(T0 + 1).toISOString(),
      source: "app",
      file: "/var/log/app.log",
      offset: 100,
      line: "b",
      rule: "r",
      fields: { user: "bob" },
    });
  });

  it("writes null for a record without file or offset (syslog, stdin)", () => {
    const event = matchEvent([]);
    event.records = [record("from the network", { file: undefined, offset: undefined })];
    expect(wireLines(event)[0]).toMatchObject({ file: null, offset: null });
  });

  it("writes one object with the message and kind for an event without records", () => {
    const alert = {
      ...matchEvent([]),
      kind: "alert" as const,
      message: "High traffic generated an alert - hits = 5",
      data: { hits: 5 },
    };
    expect(wireLines(alert)).toEqual([
      {
        time: new Date(T0 - 1).toISOString(),
        source: "app",
        line: alert.message,
        rule: "r",
        kind: "alert",
        fields: {},
        data: { hits: 5 },
      },
    ]);
  });

  it("keeps odd content intact and each object on one line", () => {
    const nasty = 'quote " backslash \\ newline \n NUL \0 bell \x07 emoji 🎉 lone \ud800';
    const text = wireJson(matchEvent([nasty]));
    expect(text.split("\n")).toHaveLength(2);
    expect(JSON.parse(text).line).toBe(nasty);
  });

  it("writes null for an invalid time instead of throwing", () => {
    expect(wireLines(matchEvent(["x"], {}))[0]?.time).not.toBeNull();
    const event = matchEvent(["x"]);
    event.records[0]!.time = Number.NaN;
    expect(wireLines(event)[0]?.time).toBeNull();
  });
});

describe("wireJson", () => {
  const text = fc.string({ unit: "binary", maxLength: 40 });
  const recordArb = fc.record({
    time: fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.constant(Number.NaN), fc.constant(T0)),
    source: text,
    file: fc.option(text, { nil: undefined }),
    offset: fc.option(fc.nat(), { nil: undefined }),
    line: text,
    fields: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null))),
  });

  it("writes exactly JSON.stringify of wireLines, line by line", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 4 }), text, fc.dictionary(text, text), (records, rule, fields) => {
        const event = { ...matchEvent([]), rule, fields, records };
        const expected = wireLines(event)
          .map((line) => `${JSON.stringify(line)}\n`)
          .join("");
        expect(wireJson(event)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("wireJson against the documented shape", () => {
  /** Lines as they come: any Unicode (lone surrogates too), quotes, backslashes, control characters. */
  const unicode = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.string({
      unit: fc.constantFrom('"', "\\", "\n", "\u0000", "\u001f", "\u2028", "\ud800", "\udfff", "é", "a"),
      maxLength: 20,
    }),
  );
  const offset = fc.oneof(fc.nat(), fc.constantFrom(undefined, 0, -0, 2 ** 53 - 1, 1e21, Number.NaN, Infinity));
  const fieldsArb = fc.oneof(
    fc.constant({}),
    fc.dictionary(unicode, fc.oneof(unicode, fc.integer(), fc.double(), fc.boolean(), fc.constant(null))),
  );
  const recordArb = fc.record({
    time: fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.constantFrom(Number.NaN, -1, 1.5, T0)),
    source: unicode,
    file: fc.option(unicode, { nil: undefined }),
    offset,
    line: unicode,
    fields: fieldsArb,
  });

  /** The wire line spelt out: JSON.stringify of the object the file action has always written for a record. */
  const documented = (rule: string, r: LogRecord, fields: Fields) => {
    const date = new Date(r.time);
    const time = Number.isNaN(date.getTime()) ? null : date.toISOString();
    const line = { time, source: r.source, file: r.file ?? null, offset: r.offset ?? null, line: r.line, rule, fields };
    return `${JSON.stringify(line)}\n`;
  };

  it("is byte for byte JSON.stringify of {time,source,file,offset,line,rule,fields} for random Unicode", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), unicode, fieldsArb, (records, rule, fields) => {
        const event = { ...matchEvent([]), rule, fields, records };
        const last = records.length - 1;
        const expected = records.map((r, i) => documented(rule, r, i === last ? fields : r.fields)).join("");
        const json = wireJson(event);
        expect(json).toBe(expected);
        // And as the file writes it: the same UTF-8 bytes (lone surrogates become U+FFFD either way).
        expect(Buffer.from(json).equals(Buffer.from(expected))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps its caches right when source, file and rule change between records", () => {
    const names = fc.constantFrom("a", "b", '"', "é");
    fc.assert(
      fc.property(fc.array(fc.tuple(names, names, names), { minLength: 1, maxLength: 12 }), (triples) => {
        for (const [source, file, rule] of triples) {
          const r = { source, file, offset: 1, line: "x", time: T0, fields: {} };
          expect(wireJson({ ...matchEvent([]), rule, fields: {}, records: [r] })).toBe(documented(rule, r, {}));
        }
      }),
    );
  });
});

describe("isoTime", () => {
  const plain = (ms: number) => (Number.isNaN(new Date(ms).getTime()) ? null : new Date(ms).toISOString());

  it("formats every time as Date#toISOString does, through its per-second cache and around it", () => {
    const times = fc.oneof(
      fc.integer({ min: 0, max: 253402300799999 }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }), // many in the same few seconds
      fc.double({ min: -1e16, max: 1e16, noNaN: false }),
      fc.constantFrom(0, 999, 1000, -1, -1000, 253402300799999, 253402300800000, 8.64e15, 8.64e15 + 1, Infinity, NaN),
    );
    fc.assert(
      fc.property(fc.array(times, { maxLength: 20 }), (list) => {
        for (const ms of list) expect(isoTime(ms)).toBe(plain(ms));
      }),
    );
  });
});

describe("the one answer for an invalid time", () => {
  it("is null on the wire, `-` in text for people", () => {
    for (const bad of [Number.NaN, Infinity, 8.64e15 + 1]) {
      expect(isoTime(bad)).toBeNull();
      expect(timeText(bad)).toBe("-");
      expect(wireEvent({ ...matchEvent(["x"]), time: bad }).time).toBeNull();
    }
    expect(timeText(T0)).toBe(new Date(T0).toISOString());
  });
});

describe("wireEvent", () => {
  it("describes the event with its optional keys only when set", () => {
    const event = matchEvent(["x"], { fields: { user: "bob" } });
    expect(wireEvent(event)).toEqual({
      kind: "match",
      rule: "r",
      source: "app",
      time: new Date(event.time).toISOString(),
      count: event.count,
      suppressed: event.suppressed,
      ...(event.match !== undefined ? { match: event.match } : {}),
      fields: { user: "bob" },
    });
    expect(Object.keys(wireEvent({ ...event, message: "m", data: { a: 1 } }))).toContain("data");
  });
});
