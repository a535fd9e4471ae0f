// End to end: `run --once` finds the same matches whether the file source filters lines on raw bytes (only rules
// with a literal read the source) or hands on every line (a rule without one reads it too), on awkward input read
// in several chunks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** A seeded mix: matches, near misses, non-ASCII, invalid UTF-8, CRLF, NUL and a few long lines; about 3 MB. */
function awkwardLog(): Buffer {
  let seed = 12345;
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  const parts: Buffer[] = [];
  for (let i = 0; i < 60_000; i++) {
    const kind = next(20);
    const body =
      kind === 0
        ? `GET /wp-login.php HTTP/1.1" 404 ${i}`
        : kind === 1
          ? `GET /wp-login.php HTTP/1.1" 200 ${i}`
          : kind === 2
            ? `Fehler ERR${i} ü`
            : kind === 3
              ? `ERR${i} u`
              : kind === 4
                ? `x`.repeat(200 + next(3000)) + ` ERR${i} ü`
                : `ordinary line ${i} ${"abc".repeat(next(30))}`;
    parts.push(Buffer.from(body));
    if (kind === 5) parts.push(Buffer.from([0xff, 0xfe, 0x00]));
    parts.push(Buffer.from(next(4) === 0 ? "\r\n" : "\n"));
  }
  return Buffer.concat(parts);
}

async function matches(config: Record<string, unknown>, out: string): Promise<string[]> {
  const file = join(dir, `${out}.json`);
  writeFileSync(file, JSON.stringify(config));
  const r = await runLogward(["run", "--once", "-c", file, "--log-format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(join(dir, `${out}.ndjson`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const { rule, offset, line } = JSON.parse(l) as { rule: string; offset: number; line: string };
      return `${rule} ${offset} ${line}`;
    });
}

describe("literal prefilter on raw bytes", () => {
  it("gives exactly the matches of the unfiltered path", async () => {
    const log = join(dir, "app.log");
    writeFileSync(log, awkwardLog());
    const config = (name: string, everyLine: boolean) => ({
      state_dir: join(dir, `state-${name}`),
      log: { level: "warn" },
      sources: { app: { path: log, start_at: "beginning" } },
      rules: {
        login: { source: "app", match: '/wp-login\\.php[^"]*" 40[0-9] /', actions: ["out"] },
        err: { source: "app", match: ["/ERR\\d+ ü/", "Fehler"], actions: ["out"] },
        // Case-folded literals, alternations and more than four literals in all (the one-pass multi-needle search).
        caseless: { source: "app", match: '/wp-LOGIN\\.PHP HTTP\\/1\\.1" 200|fehler err1\\d/i', actions: ["out"] },
        either: { source: "app", match: "/(?:ERR1|ERR2)\\d* ü$/", actions: ["out"] },
        repeats: { source: "app", match: ["/line 7\\d+ (?:abc){9}/", "ordinary line 123 "], actions: ["out"] },
        // Anchored at the line start, and one choosing its literals on the first lines.
        anchored: { source: "app", match: '/^GET \\/wp-login\\.php HTTP\\/1\\.1" 404 1\\d*$/', actions: ["out"] },
        chosen: { source: "app", match: "/(?:ordinary|Fehler) .*(?:line 42\\d\\d |ERR9\\d\\d )/", actions: ["out"] },
        // No literal every match must contain: the source must then hand on every line.
        ...(everyLine ? { blank: { source: "app", match: "/^\\s*$/", actions: ["blank"] } } : {}),
      },
      actions: {
        out: { type: "file", path: join(dir, `${name}.ndjson`) },
        blank: { type: "file", path: join(dir, "blank.ndjson") },
      },
    });
    const filtered = await matches(config("filtered", false), "filtered");
    const everything = await matches(config("everything", true), "everything");
    expect(filtered.length).toBeGreaterThan(5000);
    for (const rule of ["login", "err", "caseless", "either", "repeats", "anchored", "chosen"])
      expect(
        filtered.some((m) => m.startsWith(`${rule} `)),
        rule,
      ).toBe(true);
    expect(filtered).toEqual(everything);
  }, 120_000); // two catch-ups of a 3 MB file: CPU-bound, slow on a loaded 2-core machine
});
