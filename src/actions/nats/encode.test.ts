// Unit tests of what the nats action publishes: one JSON line per record, alerts as text, size limits.
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../core/event.js";
import type { LogRecord } from "../../core/record.js";
import { wireLines } from "../../core/wire.js";
import { cutUtf8, encodeEvent, HEADER_ROOM } from "./encode.js";

const decode = (text: string) => JSON.parse(text) as Record<string, unknown>;
const base: LogEvent = {
  kind: "match",
  rule: "oom",
  source: "app",
  time: 0,
  records: [],
  fields: {},
  count: 1,
  suppressed: 0,
};
const options = { template: "logs.{source}.{host}", hostname: "agent1", maxBytes: 1024 * 1024 };

describe("encodeEvent", () => {
  it("publishes each record with its own source and host, the agent's host when it has none", () => {
    const records: LogRecord[] = [
      { source: "app", file: "/a.log", offset: 7, line: "one", time: 1000, fields: { n: 1 } },
      { source: "fleet", line: "two", time: 2000, fields: {}, host: "router" },
    ];
    const out = encodeEvent({ ...base, records }, options);
    expect(out.map((m) => m.subject)).toEqual(["logs.app.agent1", "logs.fleet.router"]);
    expect(decode(out[0]!.text)).toEqual({
      time: "1970-01-01T00:00:01.000Z",
      source: "app",
      host: "agent1",
      file: "/a.log",
      offset: 7,
      line: "one",
      fields: { n: 1 },
      rule: "oom",
    });
    expect(decode(out[1]!.text)).toMatchObject({ source: "fleet", host: "router", line: "two" });
  });

  it("publishes an event without records as one message with its text", () => {
    const out = encodeEvent(
      { ...base, kind: "recovery", rule: "traffic", message: "Recovered from high traffic at 10:00" },
      options,
    );
    expect(out).toHaveLength(1);
    expect(decode(out[0]!.text)).toMatchObject({
      line: "Recovered from high traffic at 10:00",
      kind: "recovery",
      rule: "traffic",
      host: "agent1",
    });
  });

  it("cuts a line that would exceed max_payload, on a character boundary, and marks it", () => {
    const line = "é".repeat(5000);
    const out = encodeEvent(
      { ...base, records: [{ source: "app", line, time: 0, fields: {} }] },
      { ...options, maxBytes: 4096 },
    );
    expect(out[0]!.truncated).toBe(true);
    expect(Buffer.byteLength(out[0]!.text)).toBeLessThanOrEqual(4096 - HEADER_ROOM);
    const body = decode(out[0]!.text);
    expect(body.truncated).toBe(true);
    expect(String(body.line)).toMatch(/^é+$/);
    expect(cutUtf8("aé", 2)).toBe("a");
  });

  it("publishes each record as its wire line plus host, byte for byte, whatever the line holds", () => {
    const records: LogRecord[] = [
      { source: 'a"b', file: "/x\u2028.log", offset: 0, line: 'q"\\\n\u0000é😀', time: 1.5, fields: { k: "v" } },
      { source: "app", line: "x".repeat(1500), time: -1, fields: {}, host: "h\u0001" },
      { source: "app", file: "/a.log", offset: 9, line: "last", time: 8.64e15 + 1, fields: { stale: 1 } },
    ];
    const event = { ...base, rule: "r\u00e9", records, fields: { merged: true } };
    for (const maxBytes of [1024 * 1024, 3000]) {
      const out = encodeEvent(event, { ...options, maxBytes });
      const expected = wireLines(event).map((line, i) =>
        JSON.stringify({ ...line, host: records[i]!.host ?? "agent1" }),
      );
      expect(out.map((m) => m.text)).toEqual(expected);
      expect(out.every((m) => !m.truncated)).toBe(true); // 1,500 ASCII bytes fit 3000 - HEADER_ROOM
    }
  });
});
