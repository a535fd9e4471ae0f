import { describe, expect, it } from "vitest";
import { silentLogger } from "../core/logger.js";
import { HIT, INVALID, newHit } from "./access.js";
import { createJsonFormat } from "./json.js";
import { jsonParser } from "./kinds.js";

describe("json", () => {
  it("maps common key names and keeps every scalar", () => {
    const parser = jsonParser.create({}, { logger: silentLogger });
    const line = JSON.stringify({
      time: "2026-11-21T04:15:00Z",
      remote_addr: "10.1.1.1",
      request: "POST /api/x HTTP/2.0",
      status: "502",
      body_bytes_sent: 17,
      nested: { a: 1 },
      ok: true,
    });
    const record = { source: "s", line, time: 0, fields: {} };
    expect(parser.parse(record)).toBe(true);
    expect(record.time).toBe(Date.UTC(2026, 10, 21, 4, 15));
    expect(record.fields).toMatchObject({
      host: "10.1.1.1",
      method: "POST",
      path: "/api/x",
      protocol: "HTTP/2.0",
      status: 502,
      bytes: 17,
      ok: true,
    });
    expect(record.fields).not.toHaveProperty("nested");
  });

  it("uses configured field names, dotted into objects, and epoch times", () => {
    const format = createJsonFormat({
      time_field: "ts",
      path_field: "http.target",
      status_field: "http.code",
      host_field: "client",
    });
    const line = JSON.stringify({ ts: 1_700_000_000, client: "c1", http: { target: "/shop/cart", code: 201 } });
    const hit = newHit();
    expect(format.scan(`xx${line}yy`, 2, 2 + line.length, hit)).toBe(HIT);
    expect(hit.values()).toEqual({ time: 1_700_000_000_000, host: "c1", path: "/shop/cart", status: 201, bytes: 0 });
  });

  it("reads Apache timestamps and millisecond epochs", () => {
    const format = createJsonFormat();
    const out = { fields: {}, time: NaN };
    format.parse('{"time_local":"21/Nov/2026:04:15:00 +0000","path":"/"}', out);
    expect(out.time).toBe(Date.UTC(2026, 10, 21, 4, 15));
    format.parse('{"ts":1700000000123}', out);
    expect(out.time).toBe(1_700_000_000_123);
  });

  it.each(["", "not json", "[1,2]", "null", '{"a":', '"string"'])("rejects %j", (line) => {
    expect(createJsonFormat().parse(line, { fields: {}, time: NaN })).toBe(INVALID);
  });
});
