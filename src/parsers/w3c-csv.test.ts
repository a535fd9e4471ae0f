import { describe, expect, it } from "vitest";
import { HIT, INVALID, newHit, SKIP } from "./access.js";
import { w3cCsvParser } from "./kinds.js";
import { createW3cCsvFormat } from "./w3c-csv.js";
import { silentLogger } from "../core/logger.js";

const HEADER = '"remotehost","rfc931","authuser","date","request","status","bytes"';
const LINE = '"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234';

describe("w3c-csv", () => {
  it("parses a line into the common fields, time from epoch seconds", () => {
    const parser = w3cCsvParser.create({}, { logger: silentLogger });
    const record = { source: "s", line: LINE, time: 0, fields: {} };
    expect(parser.parse(record)).toBe(true);
    expect(record.time).toBe(1549573860_000);
    expect(record.fields).toEqual({
      host: "10.0.0.2",
      ident: "-",
      user: "apache",
      request: "GET /api/user HTTP/1.0",
      method: "GET",
      path: "/api/user",
      protocol: "HTTP/1.0",
      status: 200,
      bytes: 1234,
    });
  });

  it("skips the header without calling it invalid", () => {
    const format = createW3cCsvFormat();
    expect(format.scan(HEADER, 0, HEADER.length, newHit())).toBe(SKIP);
    expect(
      w3cCsvParser.create({}, { logger: silentLogger }).parse({ source: "s", line: HEADER, time: 0, fields: {} }),
    ).toBe(false);
  });

  it("reads quoted numbers, commas and doubled quotes inside quotes, and a dash for bytes", () => {
    const format = createW3cCsvFormat();
    const line = '"10.0.0.3","-","-","1549573861.5","GET /a,b?q=""x"" HTTP/1.1","404","-"';
    const hit = newHit();
    expect(format.scan(line, 0, line.length, hit)).toBe(HIT);
    expect(hit.values()).toEqual({ time: 1549573861_500, host: "10.0.0.3", path: '/a,b?q="x"', status: 404, bytes: 0 });
  });

  it.each([
    ["too few columns", '"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0",200'],
    ["too many columns", `${LINE},7`],
    ["date not a number", '"10.0.0.2","-","apache","yesterday","GET / HTTP/1.0",200,1'],
    ["unterminated quote", '"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0,200,1'],
    ["stray quote", '"10.0.0.2","-","apache",15495"73860,"GET / HTTP/1.0",200,1'],
    ["combined line", '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'],
  ])("rejects %s", (_name, line) => {
    expect(createW3cCsvFormat().scan(line, 0, line.length, newHit())).toBe(INVALID);
  });
});
