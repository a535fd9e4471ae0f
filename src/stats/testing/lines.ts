// Random access-log input for property tests: valid, damaged and non-ASCII lines of every format, and ways to cut it.
import fc from "fast-check";

const host = fc.constantFrom("10.0.0.1", "10.0.0.2", "192.168.100.200", "::1", "a", "h\u00e9", "-", "10.0.0.1\u00e9");
const stamp = fc.record({
  second: fc.integer({ min: 0, max: 40 }),
  day: fc.constantFrom("21", "21", "21", "32"),
  zone: fc.constantFrom("+0000", "+0000", "-0130", "+0x00"),
});
const path = fc.constantFrom(
  "/",
  "/api/user/1",
  "/api",
  "/a?b=1",
  "/?q",
  "//x",
  "/#f",
  "http://h.example/x/y",
  "http://h",
  "https://h.example",
  "*",
  "",
  "x://",
  "a:/b",
  "/caf\u00e9/1",
  "/\u2603",
  "/static/img/logo-with-a-long-name.svg",
);
const request = fc.oneof(
  fc
    .tuple(fc.constantFrom("GET", "POST", "G\u00c9T"), path, fc.constantFrom(" HTTP/1.1", "", " HTTP/1.0 x"))
    .map(([m, p, v]) => `${m} ${p}${v}`),
  fc.constantFrom("-", "", "GET", "GET  HTTP/1.1", 'GET /q\\"x HTTP/1.1', "GET /a\\\\ HTTP/1.1"),
);
const quotedField = fc.constantFrom("-", "http://ref.example/", 'Mozilla/5.0 (X11) \\"q\\"', "agent \u00e9", "\\\\");
const extras = fc.oneof(
  fc.constant(""),
  fc.tuple(quotedField, quotedField).map(([r, a]) => ` "${r}" "${a}"`),
  fc.tuple(quotedField, quotedField).map(([r, a]) => ` "${r}" "${a}" rt=0.1`),
);
const status = fc.constantFrom("200", "304", "404", "503", "000", "999", "20x");

const clfLine = fc
  .record({
    host,
    stamp,
    request,
    status,
    bytes: fc.constantFrom("512", "-", "0", "1234567890123456", "--", "12a"),
    extras,
  })
  .map((l) => {
    const s = String(l.stamp.second % 60).padStart(2, "0");
    const m = String(Math.floor(l.stamp.second / 60)).padStart(2, "0");
    const stamp = `${l.stamp.day}/Nov/2026:04:${m}:${s} ${l.stamp.zone}`;
    return `${l.host} - - [${stamp}] "${l.request}" ${l.status} ${l.bytes}${l.extras}`;
  });

const csvQuoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
const w3cLine = fc
  .record({
    host: fc.oneof(host, fc.constant('h"q')),
    second: fc.integer({ min: 0, max: 40 }),
    request: fc.oneof(request, fc.constant('GET /a,"b" HTTP/1.1')),
    status,
  })
  .map((l) => `${csvQuoted(l.host)},"-","-",${1795233600 + l.second},${csvQuoted(l.request)},${l.status},1234`);

const structuredLine = fc
  .record({ host, second: fc.integer({ min: 0, max: 40 }), path })
  .chain((l) =>
    fc.constantFrom(
      JSON.stringify({ time: 1795233600 + l.second, host: l.host, path: l.path, status: 200 }),
      `time=${1795233600 + l.second} host=${l.host} path=${l.path.replaceAll(" ", "")} status=200`,
    ),
  );

/** A valid line of some format (a CLF one most often). */
export const anyValidLine = fc.oneof(
  { weight: 6, arbitrary: clfLine },
  { weight: 2, arbitrary: w3cLine },
  { weight: 1, arbitrary: structuredLine },
);

/** Bytes a line may have overwritten: structure characters, NUL, CR, and bytes that are not (or only start) UTF-8. */
const oddByte = fc.constantFrom(
  0x20,
  0x22,
  0x5c,
  0x5b,
  0x5d,
  0x2d,
  0x2f,
  0x2c,
  0x00,
  0x0d,
  0x78,
  0xff,
  0xc3,
  0xe2,
  0x80,
);

/** One line's bytes (no newline): valid, damaged, random, or blank-ish. */
export const lineBytes = (valid: fc.Arbitrary<string> = clfLine) =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((l) => Buffer.from(l)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.array(fc.tuple(fc.nat(), oddByte), { minLength: 1, maxLength: 3 }))
        .map(([l, edits]) => {
          const bytes = Buffer.from(l);
          for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
          return bytes;
        }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.filter((x) => x !== 10))) },
    { weight: 1, arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from("\r"), Buffer.from(" ")) },
  );

/** Lines joined by newlines, with or without a final one. */
export function joinLines(lines: Buffer[], finalNewline: boolean): Buffer {
  return Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 || finalNewline ? [l, Buffer.from("\n")] : [l])));
}

/** Cut the input at the given offsets (taken modulo its length, sorted, deduplicated) into chunks. */
export function chunks(input: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...at, input.length]) {
    out.push(input.subarray(start, cut));
    start = cut;
  }
  return out;
}
