import { describe, expect, it } from "vitest";
import { HIT, INVALID, newHit, SKIP } from "./access.js";
import { createAutoFormat } from "./auto.js";

const LINES = {
  "w3c-csv": '"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234',
  combined: '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl"',
  common: '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET /x HTTP/1.1" 200 5',
  json: '{"time":"2026-11-21T04:15:00Z","path":"/x","status":200}',
  logfmt: "time=2026-11-21T04:15:00Z path=/x status=200",
};

describe("auto", () => {
  it.each(Object.entries(LINES))("detects %s and sticks to it", (name, line) => {
    const format = createAutoFormat();
    const hit = newHit();
    expect(format.detected).toBeUndefined();
    expect(format.scan(line, 0, line.length, hit)).toBe(HIT);
    expect(format.detected).toBe(name);
    expect(hit.path).toMatch(/\/(x|api\/user)/);
    // once chosen, a line of another format is invalid rather than re-sniffed
    const other = name === "json" ? LINES.combined : LINES.json;
    expect(format.scan(other, 0, other.length, hit)).toBe(INVALID);
  });

  it("skips garbage before the first recognisable line, and a CSV header decides w3c-csv", () => {
    const format = createAutoFormat();
    const hit = newHit();
    expect(format.scan("garbage", 0, 7, hit)).toBe(INVALID);
    expect(format.detected).toBeUndefined();
    const header = '"remotehost","rfc931","authuser","date","request","status","bytes"';
    expect(format.scan(header, 0, header.length, hit)).toBe(SKIP);
    expect(format.detected).toBe("w3c-csv");
  });

  it("keeps parsing combined lines after detecting common", () => {
    const format = createAutoFormat();
    const out = { fields: {}, time: NaN };
    expect(format.parse(LINES.common, out)).toBe(HIT);
    expect(format.parse(LINES.combined, out)).toBe(HIT);
    expect(out.fields).toMatchObject({ agent: "curl" });
  });
});
