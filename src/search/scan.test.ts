// The streaming scan against a reference (split the whole text, filter): random lines, files, compression, limits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { cutMarker } from "../sources/lines/index.js";
import { orderArchives, rankOf } from "./archives.js";
import { searchFiles, type SearchHit } from "./scan.js";
import { trustedMatcher } from "./setup.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-scan-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MAX = 128 * 1024;
/** Lines of a few words (some long, crossing 64 KiB chunks; some over the cap), CR endings, non-ASCII. */
const lineArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(fc.constantFrom("err", "ok", "Err", "é", "x", " ", "\r", "needle"), { maxLength: 12 }),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 60_000, max: 200_000 }), fc.boolean()) },
);
const render = (l: string[] | [number, boolean]): string =>
  typeof l[0] === "number" ? `${"y".repeat(l[0])}${l[1] ? "needle" : ""}` : (l as string[]).join("");

/** What a line becomes after reading: \r of a \r\n dropped, cut at MAX bytes with the marker. */
function asRead(line: string): string {
  const body = line.endsWith("\r") ? line.slice(0, -1) : line;
  const bytes = Buffer.from(body);
  if (bytes.length <= MAX) return body;
  const kept = bytes
    .subarray(0, MAX)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return kept + cutMarker(bytes.length - Buffer.byteLength(kept));
}

let n = 0;
describe("searchFiles", () => {
  it("finds exactly what a whole-text filter finds, in order, across files and gzip, with the prefilter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(lineArb, { maxLength: 40 }), fc.boolean(), fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom("needle", "err", "/[Ee]rr/", "é"),
        fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
        async (files, pattern, limit) => {
          const expected: string[] = [];
          const written = files.map(([lines, gz, finalNewline], i) => {
            const texts = lines.map(render);
            const body = texts.join("\n") + (finalNewline && texts.length > 0 ? "\n" : "");
            const file = path.join(dir, `f${n++}-${i}.log${gz ? ".gz" : ""}`);
            fs.writeFileSync(file, gz ? zlib.gzipSync(body) : body);
            const read = (body === "" ? [] : body.replace(/\n$/, "").split("\n")).map(asRead);
            const re = pattern.startsWith("/") ? /[Ee]rr/ : undefined;
            expected.push(...read.filter((l) => (re ? re.test(l) : l.includes(pattern))).map((l) => `${file}:${l}`));
            return { path: file, compression: gz ? "gz" : undefined, mtimeMs: 0 };
          });
          const hits: SearchHit[] = [];
          const options = { matcher: trustedMatcher([pattern]), maxLineBytes: MAX, source: "t" };
          const summary = await searchFiles(written, { ...options, ...(limit ? { limit } : {}) }, (h) => {
            hits.push(h);
          });
          const want = limit ? expected.slice(0, limit) : expected;
          expect(hits.map((h) => `${h.file}:${h.line}`)).toEqual(want);
          expect(summary.matches).toBe(want.length);
          expect(summary.files.every((f) => f.error === undefined)).toBe(true);
        },
      ),
      { numRuns: 60, seed: 21 },
    );
  }, 120_000);

  it("orders archives of both families: names within a family, mtimes between them", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (nums, dates, numbersFirst) => {
          // A history: `nums` numbered rotations and `dates` dated ones, one family after the other; each archive's
          // mtime is when it was last touched, which compression can make later than a younger sibling's.
          const history: { name: string; written: number }[] = [];
          let t = 1_000;
          const numbered = Array.from({ length: nums }, () => (t += 100));
          const dated = Array.from({ length: dates }, () => (t += 100));
          if (!numbersFirst) dated.forEach((_, i) => (dated[i] = (dated[i] as number) - 10_000));
          numbered.forEach((written, i) => history.push({ name: `app.log.${nums - i}`, written }));
          dated.forEach((written, i) => history.push({ name: `app.log-2026120${i + 1}`, written }));
          const files = history.map((h) => ({
            path: h.name,
            mtimeMs: h.written + 50, // compressed a little later: still before the next family's first file
            rank: rankOf("app.log", h.name),
          }));
          const shuffled = [...files].reverse();
          const expected = [...history].sort((a, b) => a.written - b.written).map((h) => h.name);
          expect(orderArchives(shuffled).map((f) => f.path)).toEqual(expected);
        },
      ),
      { seed: 21 },
    );
  });
});
