import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { LogRecord } from "../core/record.js";
import { silentLogger } from "../core/logger.js";
import { HIT, INVALID, newHit } from "./access.js";
import { createClfFormat } from "./clf.js";
import { combinedParser, commonParser } from "./kinds.js";

const COMBINED =
  '203.0.113.9 - frank [21/Nov/2026:04:15:00 +0100] "GET /api/user/1?x=1 HTTP/1.1" 200 2326 ' +
  '"https://example.org/" "Mozilla/5.0 (X11)"';

function record(line: string): LogRecord {
  return { source: "access", line, time: 0, fields: {} };
}

describe("combined parser", () => {
  it("fills the common field names and the line's time", () => {
    const parser = combinedParser.create({}, { logger: silentLogger });
    const r = record(COMBINED);
    expect(parser.parse(r)).toBe(true);
    expect(r.time).toBe(Date.UTC(2026, 10, 21, 3, 15, 0));
    expect(r.fields).toMatchObject({
      host: "203.0.113.9",
      user: "frank",
      method: "GET",
      path: "/api/user/1?x=1",
      protocol: "HTTP/1.1",
      status: 200,
      bytes: 2326,
      referer: "https://example.org/",
      agent: "Mozilla/5.0 (X11)",
    });
  });

  it("keeps escaped quotes and ignores fields nginx appends", () => {
    const parser = combinedParser.create({}, { logger: silentLogger });
    const r = record(
      '::1 - - [01/Jan/2026:00:00:00 -0000] "GET /a\\"b HTTP/1.0" 404 - "-" "curl \\"x\\"" "10.0.0.1" 0.003',
    );
    expect(parser.parse(r)).toBe(true);
    expect(r.fields).toMatchObject({ path: '/a\\"b', bytes: 0, status: 404, agent: 'curl \\"x\\"' });
  });

  it.each([
    ["empty", ""],
    ["common line for combined", '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5'],
    ["bad month", '1.2.3.4 - - [21/Foo/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'],
    ["31 November", '1.2.3.4 - - [31/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'],
    ["hour 24", '1.2.3.4 - - [21/Nov/2026:24:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'],
    ["unterminated request", '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1 200 5 "-" "-'],
    ["status letters", '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 2x0 5 "-" "-"'],
    ["bytes letters", '1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5k "-" "-"'],
    ["missing user", '1.2.3.4 - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'],
    ["plain text", "Nov 21 04:15:00 host sshd[1]: Accepted publickey"],
  ])("rejects %s", (_name, line) => {
    expect(combinedParser.create({}, { logger: silentLogger }).parse(record(line))).toBe(false);
  });

  it("common accepts lines with and without referer and agent", () => {
    const parser = commonParser.create({}, { logger: silentLogger });
    const plain = record('1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET / HTTP/1.1" 200 5');
    const full = record(COMBINED);
    expect(parser.parse(plain)).toBe(true);
    expect(plain.fields.referer).toBeUndefined();
    expect(parser.parse(full)).toBe(true);
    expect(full.fields.agent).toBe("Mozilla/5.0 (X11)");
  });

  it("splits odd requests without losing the line", () => {
    const parser = commonParser.create({}, { logger: silentLogger });
    const dash = record('1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "-" 408 0');
    expect(parser.parse(dash)).toBe(true);
    expect(dash.fields).toMatchObject({ method: "", path: "", protocol: "", request: "-", status: 408 });
    const http09 = record('1.2.3.4 - - [21/Nov/2026:04:15:00 +0000] "GET /old" 200 1');
    expect(parser.parse(http09)).toBe(true);
    expect(http09.fields).toMatchObject({ method: "GET", path: "/old", protocol: "" });
  });

  it("scans lines inside a larger chunk without slicing them first", () => {
    const format = createClfFormat(true);
    const text = `${COMBINED}\n${COMBINED.replace("frank", "anna").replace("+0100", "+0000")}\n`;
    const hit = newHit();
    const first = text.indexOf("\n");
    expect(format.scan(text, 0, first, hit)).toBe(HIT);
    expect(hit.values()).toEqual({
      time: Date.UTC(2026, 10, 21, 3, 15),
      host: "203.0.113.9",
      path: "/api/user/1?x=1",
      status: 200,
      bytes: 2326,
    });
    expect(format.scan(text, first + 1, text.length - 1, hit)).toBe(HIT);
    expect(hit.time).toBe(Date.UTC(2026, 10, 21, 4, 15));
    expect(format.scan(text, 0, first - 1, hit)).toBe(INVALID); // agent's closing quote cut off
  });
});

// ---- property test: the scanner agrees with a plain regex reference --------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const REFERENCE = new RegExp(
  String.raw`^([^ ]+) ([^ ]+) ([^ ]+) \[(\d\d)/([A-Za-z]{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\] ` +
    `${QUOTED} (\\d{3}) (\\d{1,15}|-) ${QUOTED} ${QUOTED}(?: .*)?$`,
  "s",
);

/** The reference: one regex, then field checks written independently of the scanner. */
function referenceParse(line: string): Record<string, unknown> | undefined {
  const m = REFERENCE.exec(line);
  if (!m) return undefined;
  const [, host, ident, user, dd, mon, yyyy, hh, mi, ss, sign, zh, zm, request, status, bytes, referer, agent] =
    m as unknown as string[];
  const month = MONTHS.indexOf(mon as string);
  const [day, year, hour, minute, second] = [dd, yyyy, hh, mi, ss].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month, day));
  if (month < 0 || date.getUTCDate() !== day || date.getUTCMonth() !== month || hour > 23 || minute > 59 || second > 59)
    return undefined;
  if (Number(zh) > 23 || Number(zm) > 59) return undefined;
  const offset = (Number(zh) * 60 + Number(zm)) * 60_000 * (sign === "-" ? -1 : 1);
  const parts = (request as string).split(" ");
  const method = parts.length > 1 ? parts[0] : "";
  const protocol = parts.length > 2 ? parts[parts.length - 1] : "";
  const path = parts.length > 2 ? parts.slice(1, -1).join(" ") : parts.length === 2 ? parts[1] : "";
  return {
    time: Date.UTC(year, month, day, hour, minute, second) - offset,
    fields: {
      host,
      ident,
      user,
      request,
      method,
      path,
      protocol,
      status: Number(status),
      bytes: bytes === "-" ? 0 : Number(bytes),
      referer,
      agent,
    },
  };
}

const token = fc.stringMatching(/^[a-zA-Z0-9.:_@-]{1,12}$/);
const quotedText = fc.stringMatching(/^(?:[^"\\\n]|\\[^\n])*$/, { maxLength: 30 });
const validLine = fc
  .record({
    host: token,
    ident: token,
    user: token,
    day: fc.integer({ min: 0, max: 31 }), // some impossible dates on purpose
    month: fc.constantFrom(...MONTHS),
    year: fc.integer({ min: 1990, max: 2100 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 60 }),
    zone: fc.constantFrom("+0000", "-0700", "+0530", "+1400"),
    method: fc.constantFrom("GET", "POST", "-", ""),
    path: fc.stringMatching(/^\/[a-z0-9/?=&.%-]{0,20}$/),
    status: fc.integer({ min: 100, max: 599 }),
    bytes: fc.oneof(fc.constant("-"), fc.nat({ max: 10_000_000 }).map(String)),
    referer: quotedText,
    agent: quotedText,
    tail: fc.constantFrom("", ' "10.0.0.1"', " 0.003 x"),
  })
  .map((p) => {
    const pad = (n: number) => String(n).padStart(2, "0");
    const request = p.method ? `${p.method} ${p.path} HTTP/1.1` : p.path;
    const stamp = `${pad(p.day)}/${p.month}/${p.year}:${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${p.zone}`;
    const extras = `"${p.referer}" "${p.agent}"${p.tail}`;
    return `${p.host} ${p.ident} ${p.user} [${stamp}] "${request}" ${p.status} ${p.bytes} ${extras}`;
  });

/** A valid line with one random edit: a character deleted, replaced or inserted anywhere. */
const mutatedLine = fc
  .tuple(
    validLine,
    fc.nat(),
    fc.constantFrom("delete", "replace", "insert"),
    fc.constantFrom(" ", '"', "\\", "[", "]", "x", "9", "-", "/", ":", "\t"),
  )
  .map(([line, at, edit, ch]) => {
    const i = at % (line.length + 1);
    if (edit === "delete") return line.slice(0, i) + line.slice(i + 1);
    if (edit === "replace") return line.slice(0, i) + ch + line.slice(i + 1);
    return line.slice(0, i) + ch + line.slice(i);
  });

describe("combined scanner against a reference regex", () => {
  it("agrees on random valid and invalid lines", () => {
    const format = createClfFormat(true);
    fc.assert(
      fc.property(fc.oneof(validLine, mutatedLine, fc.string({ maxLength: 80 })), (line) => {
        const expected = referenceParse(line);
        const out = { fields: {}, time: NaN };
        const outcome = format.parse(line, out);
        if (!expected) return outcome === INVALID;
        expect(outcome).toBe(HIT);
        expect(out).toEqual(expected);
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it("accepts every generated line whose date exists", () => {
    const format = createClfFormat(true);
    fc.assert(
      fc.property(
        validLine,
        (line) => (format.parse(line, { fields: {}, time: NaN }) === HIT) === (referenceParse(line) !== undefined),
      ),
    );
    expect(format.parse(COMBINED, { fields: {}, time: NaN })).toBe(HIT);
  });
});
