// Unit tests of decoding NATS messages into records: the action's JSON keeps its origin, other payloads stay text.
import { describe, expect, it } from "vitest";
import { decodeMessage } from "./decode.js";

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
