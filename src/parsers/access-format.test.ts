// The custom access format: nginx and Apache formats, checked on random formats and lines against a regex parse.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../core/logger.js";
import type { Fields, LogRecord } from "../core/record.js";
import { HIT, INVALID, newHit, splitRequest } from "./access.js";
import { compileAccessFormat } from "./access-format.js";
import { createCustomFormat } from "./access-format-scan.js";
import { parseClfTime } from "./clf-time.js";
import { customParser } from "./kinds.js";

function record(line: string): LogRecord {
  return { source: "access", line, time: 0, fields: {} };
}

function parse(format: string, line: string): LogRecord | undefined {
  const r = record(line);
  return customParser.create({ access_format: format }, { logger: silentLogger }).parse(r) ? r : undefined;
}

describe("custom access format", () => {
  it("reads an nginx log_format with extra variables, unknown ones as fields", () => {
    const format =
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" ' +
      '"$http_user_agent" rt=$request_time ua="$upstream_addr" host=${host}';
    const line =
      '203.0.113.9 - - [21/Nov/2026:04:15:00 +0100] "GET /api/x?y=1 HTTP/2.0" 502 157 "-" "curl/8 \\"q\\"" ' +
      'rt=0.012 ua="10.0.0.5:8080" host=example.org';
    const r = parse(format, line);
    expect(r?.time).toBe(Date.UTC(2026, 10, 21, 3, 15));
    expect(r?.fields).toEqual({
      host: "203.0.113.9",
      user: "-",
      request: "GET /api/x?y=1 HTTP/2.0",
      method: "GET",
      path: "/api/x?y=1",
      protocol: "HTTP/2.0",
      status: 502,
      bytes: 157,
      referer: "-",
      agent: 'curl/8 \\"q\\"',
      request_time: 0.012,
      upstream_addr: "10.0.0.5:8080",
      host_2: "example.org",
    });
  });

  it("reads an Apache LogFormat: %t with its brackets, headers, %D and %T", () => {
    const format = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %D %T %{X-Forwarded-For}i';
    const line =
      '10.1.1.1 - bob [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 401 - "http://a/" "Mozilla" 1534 0 ' +
      "198.51.100.7";
    const r = parse(format, line);
    expect(r?.time).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(r?.fields).toMatchObject({
      host: "10.1.1.1",
      ident: "-",
      user: "bob",
      method: "POST",
      path: "/login",
      status: 401,
      bytes: 0,
      referer: "http://a/",
      agent: "Mozilla",
      request_time_us: 1534,
      request_time_s: 0,
      x_forwarded_for: "198.51.100.7",
    });
  });

  it("rejects lines whose status, bytes or time are not what the format says, adding nothing", () => {
    const format = '$remote_addr [$time_local] "$request" $status $body_bytes_sent';
    const good = '1.2.3.4 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5';
    expect(parse(format, good)).toBeDefined();
    for (const bad of [
      good.replace("200", "2x0"),
      good.replace(" 5", " five"),
      good.replace("Oct", "Foo"),
      good.replace("[10/", "[1/"),
      `${good} trailing`,
      good.slice(0, -2),
    ]) {
      const r = record(bad);
      expect(customParser.create({ access_format: format }, { logger: silentLogger }).parse(r), bad).toBe(false);
      expect(r.fields).toEqual({});
    }
  });

  it("refuses a format it cannot read back", () => {
    expect(() => compileAccessFormat("$remote_addr$status")).toThrow(/nothing between them/);
    expect(() => compileAccessFormat("%h%>s")).toThrow(/nothing between them/);
    expect(() => compileAccessFormat("no variables")).toThrow(/no variables/);
    expect(customParser.schema.safeParse({ access_format: "$a$b" }).success).toBe(false);
    expect(compileAccessFormat("100%% %h").literals).toEqual(["100% ", ""]);
  });

  it("gives stats the same hit from a line's bytes as from its text (the replay fast path)", () => {
    const format = createCustomFormat('$remote_addr "$request" $status $body_bytes_sent [$time_local] $x');
    const line = 'ünï.example "GET /päth?q HTTP/1.1" 404 12 [21/Nov/2026:04:15:00 +0000] tail';
    const text = newHit();
    const bytes = newHit();
    expect(format.scan(line, 0, line.length, text)).toBe(HIT);
    const buf = Buffer.from(`x\n${line}\n`);
    expect(format.scanBytes(buf, 2, buf.length - 1, bytes)).toBe(HIT);
    expect(bytes.values()).toEqual(text.values());
    expect(text.values()).toEqual({
      time: Date.UTC(2026, 10, 21, 4, 15),
      host: "ünï.example",
      path: "/päth?q",
      status: 404,
      bytes: 12,
    });
    expect(format.scan("garbage", 0, 7, text)).toBe(INVALID);
  });
});

// ---- random formats and lines against a regex parse --------------------------------------------------------------

/** The variables the generator uses: name, the field it fills, and how its value is typed. */
const VARIABLES = [
  ["remote_addr", "host", "text"],
  ["remote_user", "user", "text"],
  ["time_local", "time", "time"],
  ["request", "request", "request"],
  ["status", "status", "status"],
  ["body_bytes_sent", "bytes", "bytes"],
  ["http_user_agent", "agent", "text"],
  ["upstream_addr", "upstream_addr", "text"],
  ["x_trace", "x_trace", "text"],
] as const;
type Variable = (typeof VARIABLES)[number];

/** Separators chosen to collide with values: quotes, brackets, spaces, a multi-byte character. */
const LITERALS = [" ", " - ", '"', '" "', ' "', '" ', " [", "] ", "|", "é", "\t", "::", "\\"];
const VALUE_CHARS = ["a", "b", "1", "2", " ", "-", '"', "\\", "[", "]", "|", "é", "😀", ":", "/", "\t"];

const literal = fc.constantFrom(...LITERALS);
const formatArb = fc
  .tuple(
    fc.option(literal, { nil: "" }),
    fc.array(fc.tuple(fc.constantFrom(...VARIABLES), literal), { minLength: 1, maxLength: 6 }),
    fc.boolean(),
  )
  .map(([head, pairs, endsWithVariable]) => {
    // One of each variable at most: a name twice is renamed (host_2), which the reference need not model.
    const seen = new Set<string>();
    const unique = pairs.filter(([v]) => !seen.has(v[0]) && seen.add(v[0]));
    const literals = [head, ...unique.map(([, l]) => l)];
    if (endsWithVariable) literals[literals.length - 1] = "";
    return { variables: unique.map(([v]) => v), literals };
  });

const text = fc.array(fc.constantFrom(...VALUE_CHARS), { maxLength: 8 }).map((chars) => chars.join(""));
const clfTime = fc
  .tuple(fc.integer({ min: 1, max: 28 }), fc.constantFrom("Jan", "Feb", "Oct", "Dec"), fc.integer({ min: 0, max: 23 }))
  .map(([d, m, h]) => `${String(d).padStart(2, "0")}/${m}/2026:${String(h).padStart(2, "0")}:04:05 +0200`);

function valueArb(v: Variable): fc.Arbitrary<string> {
  switch (v[2]) {
    case "status":
      return fc.oneof(fc.constantFrom("200", "404", "503"), text);
    case "bytes":
      return fc.oneof(fc.nat(99999).map(String), fc.constant("-"), text);
    case "time":
      return fc.oneof({ weight: 4, arbitrary: clfTime }, { weight: 1, arbitrary: text });
    case "request":
      return fc.oneof(
        fc.tuple(fc.constantFrom("GET", "POST"), text).map(([m, p]) => `${m} /${p} HTTP/1.1`),
        text,
      );
    default:
      return text;
  }
}

const caseArb = formatArb.chain((format) => fc.tuple(fc.constant(format), fc.tuple(...format.variables.map(valueArb))));

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The reference: one regex per format, each value the shortest run not holding the literal after it. */
function referenceParse(format: { variables: readonly Variable[]; literals: string[] }, line: string) {
  let source = `^${escapeRe(format.literals[0]!)}`;
  format.variables.forEach((_, i) => {
    const after = format.literals[i + 1]!;
    const quoted = format.literals[i]!.endsWith('"') && after.startsWith('"');
    if (after === "") source += "([\\s\\S]*)";
    else if (quoted) source += `((?:\\\\[\\s\\S]|(?!${escapeRe(after)})[^\\\\])*)${escapeRe(after)}`;
    else source += `((?:(?!${escapeRe(after)})[\\s\\S])*)${escapeRe(after)}`;
  });
  const match = new RegExp(`${source}$`).exec(line);
  if (!match) return undefined;
  const fields: Fields = {};
  let time = NaN;
  for (const [i, [, field, type]] of format.variables.entries()) {
    const value = match[i + 1]!;
    if (type === "status" || type === "bytes") {
      if (type === "bytes" && value === "-") fields[field] = 0;
      else if (/^\d{1,15}$/.test(value)) fields[field] = Number(value);
      else return undefined;
    } else if (type === "time") {
      time = value.length === 26 ? parseClfTime(value, 0) : NaN;
      if (Number.isNaN(time)) return undefined;
    } else if (type === "request") {
      fields.request = value;
      Object.assign(fields, splitRequest(value));
    } else fields[field] = value;
  }
  return { fields, time };
}

describe("custom access format against a regex parse (property)", () => {
  it("fills the same fields and time, rejects the same lines, and scans bytes as text", () => {
    let hits = 0;
    fc.assert(
      fc.property(caseArb, ([format, values]) => {
        const line = format.literals[0] + values.map((value, i) => value + format.literals[i + 1]).join("");
        const formatText =
          format.literals[0] + format.variables.map((v, i) => `$${v[0]}${format.literals[i + 1]}`).join("");
        const expected = referenceParse(format, line);
        const r = record(line);
        const ok = customParser.create({ access_format: formatText }, { logger: silentLogger }).parse(r);
        expect(ok, `${formatText}\n${line}`).toBe(expected !== undefined);
        if (!expected) {
          expect(r.fields).toEqual({});
          return;
        }
        hits++;
        expect(r.fields).toEqual(expected.fields);
        if (!Number.isNaN(expected.time)) expect(r.time).toBe(expected.time);
        const scanner = createCustomFormat(formatText);
        const [textHit, byteHit] = [newHit(), newHit()];
        expect(scanner.scan(line, 0, line.length, textHit)).toBe(HIT);
        const buf = Buffer.from(`é${line}\n`);
        expect(scanner.scanBytes(buf, 2, buf.length - 1, byteHit)).toBe(HIT);
        expect(byteHit.values()).toEqual(textHit.values());
      }),
      { seed: 18, numRuns: 2000 },
    );
    // The generator must reach parsed lines often, or the property says little.
    expect(hits).toBeGreaterThan(400);
  });
});
