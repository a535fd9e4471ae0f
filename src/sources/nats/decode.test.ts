// Unit tests of decoding NATS messages into records: the action's JSON keeps its origin, other payloads stay text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchNotice, batchPayload } from "../../nats/batch-format.js";
import { decodeMessage, decodeMessages, parseTime } from "./decode.js";

const enc = (s: string) => new TextEncoder().encode(s);
const meta = { subject: "logs.app", storedAt: 5000 };

describe("decodeMessage", () => {
  it("turns the nats action's JSON back into a record of this source that keeps its origin", () => {
    const body = {
      time: "2026-01-02T03:04:05.000Z",
      source: "app",
      host: "web1",
      file: "/var/log/a.log",
      offset: 9,
      line: "boom",
      fields: { level: "error", nested: { a: 1 } },
      rule: "errors",
    };
    expect(decodeMessage(enc(JSON.stringify(body)), meta, "shared")).toEqual({
      source: "shared",
      line: "boom",
      time: Date.UTC(2026, 0, 2, 3, 4, 5),
      host: "web1",
      file: "/var/log/a.log",
      offset: 9,
      fields: { level: "error", nested: '{"a":1}', origin_source: "app", origin_rule: "errors" },
    });
  });

  it("keeps any other payload as text, timed when the stream stored it", () => {
    expect(decodeMessage(enc("plain text\n"), meta, "shared")).toEqual({
      source: "shared",
      line: "plain text",
      time: 5000,
      fields: { subject: "logs.app" },
    });
    expect(decodeMessage(enc('{"no":"line"}'), meta, "shared").line).toBe('{"no":"line"}');
    expect(decodeMessage(new Uint8Array([0xff, 0x41]), meta, "shared").line).toBe("\uFFFDA");
    expect(decodeMessage(enc('{"line":"x","time":"garbage"}'), meta, "shared").time).toBe(5000);
  });
});

describe("decodeMessages", () => {
  const line = (n: number) => JSON.stringify({ line: `l${n}`, source: "app", host: "web1", rule: "r", fields: {} });

  it("reads a batch into one record per line, each keeping its origin", () => {
    const data = enc(batchPayload([line(1), line(2), line(3)]));
    const { records, errors } = decodeMessages(data, "1", meta, "shared");
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.line, r.host, r.fields.origin_source])).toEqual([
      ["l1", "web1", "app"],
      ["l2", "web1", "app"],
      ["l3", "web1", "app"],
    ]);
    // without the header too (a tool that republished the payload alone)
    expect(decodeMessages(data, undefined, meta, "shared").records).toHaveLength(3);
  });

  it("shows an analyser that predates batches one record saying what happened, not a garbled line", () => {
    const old = decodeMessage(enc(batchPayload([line(1), line(2)])), meta, "shared");
    expect(old.line).toBe(batchNotice(2));
    expect(old.line).toMatch(/cannot read batches; upgrade it, or set max_batch_lines: 1/);
  });

  it("passes a newer version, a batch that is not one and bad entries on as text with decode_error", () => {
    const newer = decodeMessages(enc('{"logward_batch":2,"lines":[]}'), "2", meta, "shared");
    expect(newer.errors).toHaveLength(1);
    expect(newer.records[0]?.fields.decode_error).toMatch(/version 2/);
    const garbage = decodeMessages(enc("{" + "y".repeat(10_000)), "1", meta, "shared");
    expect(garbage.records).toHaveLength(1);
    expect(garbage.records[0]?.line).toHaveLength(4096);
    expect(garbage.records[0]?.fields).toMatchObject({ subject: "logs.app", decode_error: expect.any(String) });
    const entries = decodeMessages(enc(batchPayload([line(1), "null", "[1]"])), "1", meta, "shared");
    expect(entries.records.map((r) => r.line)).toEqual(["l1", "null", "[1]"]);
    expect(entries.errors).toHaveLength(2);
  });
});

describe("parseTime", () => {
  const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);
  // Wire times and near misses: hour 24, day 31 of a short month, leap seconds, other separators and lengths.
  const second = fc
    .tuple(
      pick("2026", "1970", "0000", "9999", "+2026", "2026x"),
      pick("-"),
      pick("01", "02", "12", "13", "00", "1"),
      pick("-", "/"),
      pick("01", "28", "29", "30", "31", "32"),
      pick("T", " ", "t"),
      pick("00", "23", "24", "25"),
      pick(":"),
      pick("00", "59", "60"),
      pick(":"),
      pick("00", "59", "60"),
      pick(".", ","),
    )
    .map((parts) => parts.join(""));
  // Runs of times in a few seconds (what the cache of the last second sees), with their endings varied.
  const times = fc
    .tuple(fc.array(second, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), digits(3), fc.nat())))
    .map(([seconds, picks]) =>
      picks.map(([s, ms, end]) => `${seconds[s % seconds.length]}${ms}${["Z", "Z", "Z", "z", "+01:00", ""][end % 6]}`),
    );

  it("gives Date.parse's answer for any sequence of times, whatever the last one cached", () => {
    fc.assert(
      fc.property(times, (sequence) => {
        for (const t of sequence) {
          const expected = Date.parse(t);
          expect(parseTime(t)).toBe(Number.isNaN(expected) ? undefined : expected);
        }
      }),
      { numRuns: 1000, seed: 16 },
    );
    expect(parseTime("2026-11-21T24:00:00.000Z")).toBe(Date.parse("2026-11-22T00:00:00.000Z"));
    expect(parseTime("2026-11-21T24:00:00.001Z")).toBe(undefined);
  });

  it("reads milliseconds since the epoch as they are, and nothing else", () => {
    expect(parseTime(1234.5)).toBe(1234.5);
    expect(parseTime(Infinity)).toBeUndefined();
    expect(parseTime({})).toBeUndefined();
  });
});
