// End to end: `logward stats --replay` on generated access logs with a known traffic profile.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const iso = (ms: number) => new Date(ms).toISOString();

function clfTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** 5 req/s for 3 min, 20 req/s for 3 min, 5 req/s for 3 min, slightly out of order. */
function trafficTimes(): number[] {
  const times: number[] = [];
  for (let s = 0; s < 540; s++) {
    const rate = s >= 180 && s < 360 ? 20 : 5;
    for (let i = 0; i < rate; i++) times.push(T0 + s * 1000);
  }
  // mild disorder (allowed lateness is 5 s): disjoint pairs of lines 7 apart (at most 1.4 s) trade places
  for (let i = 0; i + 7 < times.length; i += 14)
    [times[i], times[i + 7]] = [times[i + 7] as number, times[i] as number];
  return times;
}

const PATHS = ["/api/user/1", "/api/order/7", "/report", "/static/app.js", "/"];

function combinedLog(): string {
  return trafficTimes()
    .map(
      (t, i) =>
        `10.0.0.${i % 9} - - [${clfTime(t)}] "GET ${PATHS[i % 5]} HTTP/1.1" ${i % 50 ? 200 : 502} 1234 "-" "loadgen/1.0"`,
    )
    .join("\n");
}

function w3cLog(): string {
  const header = '"remotehost","rfc931","authuser","date","request","status","bytes"';
  const lines = trafficTimes().map(
    (t, i) => `"10.0.0.${i % 9}","-","apache",${t / 1000},"GET ${PATHS[i % 5]} HTTP/1.0",${i % 50 ? 200 : 502},1234`,
  );
  return [header, ...lines].join("\n") + "\n";
}

// window hits at T0+180+k s = 5*(120-k) + 20*k > 10 * 120  ⇔  k ≥ 41;  at T0+360+k s = 20*(120-k) + 5*k ≤ 1200  ⇔  k ≥ 80
const EXPECTED_ALERTS = [
  { type: "alert", state: "firing", hits: 1215, rate: 10.13, at: iso(T0 + 221_000) },
  { type: "alert", state: "recovered", at: iso(T0 + 440_000) },
];

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("logward stats --replay", () => {
  const { dir, cleanup } = tempDir("logward-stats-");
  const files = { combined: join(dir, "access.log"), "w3c-csv": join(dir, "access.csv") };
  const contents = { combined: combinedLog(), "w3c-csv": w3cLog() };

  beforeAll(() => {
    for (const format of ["combined", "w3c-csv"] as const) writeFileSync(files[format], contents[format]);
  });
  afterAll(cleanup);

  for (const format of ["combined", "w3c-csv"] as const) {
    for (const input of ["file", "stdin"] as const) {
      it(`alerts and recovers at the computed seconds: ${format} from ${input}`, async () => {
        const args = ["stats", ...(input === "file" ? [files[format]] : []), "--replay", "--json", "--threshold", "10"];
        const result = await runLogward(args, input === "stdin" ? { input: contents[format] } : {});
        expect(result.code, result.stderr).toBe(0);
        const objects = jsonLines(result.stdout);
        expect(objects.filter((o) => o.type === "alert")).toEqual(EXPECTED_ALERTS);
        const stats = objects.filter((o) => o.type === "stats");
        expect(stats).toHaveLength(54);
        expect(stats.reduce((n, s) => n + (s.hits as number), 0)).toBe(5400);
        expect(stats[0]).toMatchObject({ from: iso(T0), to: iso(T0 + 10_000), hits: 50, rate: 5, invalid: 0, late: 0 });
        expect(stats[0]?.sections).toEqual([
          { name: "/api", hits: 20 },
          { name: "/", hits: 10 },
          { name: "/report", hits: 10 },
          { name: "/static", hits: 10 },
        ]);
        expect(stats.at(-1)).toMatchObject({ to: iso(T0 + 540_000), firing: false });
        // the alert sits between the reports of its own time
        const firingAt = objects.findIndex((o) => o.type === "alert");
        expect(objects[firingAt - 1]).toMatchObject({ type: "stats", to: iso(T0 + 220_000) });
      });
    }
  }

  it("prints plain reports and the alert wording people grep for when not --json", async () => {
    const result = await runLogward(["stats", files.combined, "--replay", "--threshold", "10", "--interval", "1m"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `High traffic generated an alert - hits = 1215, triggered at ${iso(T0 + 221_000)}\n`,
    );
    expect(result.stdout).toContain(`Recovered from high traffic at ${iso(T0 + 440_000)}\n`);
    expect(result.stdout).toContain("[2026-11-21T04:00:00Z → 04:01:00Z] 300 hits, 5 req/s");
    expect(result.stdout).toMatch(/\n {2}sections: \/api 1\d\d, \/report 60, /);
    expect(result.stdout).not.toContain("\x1b["); // piped: no dashboard escapes
  });

  it("counts invalid lines instead of dropping them silently", async () => {
    const input = `not an access line\n${contents.combined.split("\n").slice(0, 20).join("\n")}\n\u0000\u0001garbage\n`;
    const result = await runLogward(["stats", "--replay", "--json", "--format", "combined"], { input });
    expect(result.code, result.stderr).toBe(0);
    const stats = jsonLines(result.stdout).filter((o) => o.type === "stats");
    expect(stats.reduce((n, s) => n + (s.invalid as number), 0)).toBe(2);
    expect(stats.reduce((n, s) => n + (s.hits as number), 0)).toBe(20);
  });

  it.each([
    [["--threshold", "lots"], "--threshold"],
    [["--interval", "10x"], "--interval"],
    [["--interval", "200ms"], "--interval"],
    [["--window", "0"], "--window"],
    [["--format", "xml"], "--format"],
    [["--top", "0"], "--top"],
    [["--bogus"], "unknown option"],
  ])("exits 2 on bad flags %j", async (flags, mention) => {
    const result = await runLogward(["stats", files.combined, "--replay", ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(mention);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("exits 2 when the file does not exist", async () => {
    const result = await runLogward(["stats", join(dir, "missing.log"), "--replay"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing.log");
  });

  it("drops no line within --lateness, even before the first interval's start", async () => {
    const order = [T0 + 2_000, T0 - 1_000, T0 - 3_000, T0 + 1_000, T0 - 3_001, T0 + 9_000];
    const input = order.map((t) => `10.0.0.1 - - [${clfTime(t)}] "GET /a HTTP/1.1" 200 1 "-" "x"`).join("\n") + "\n";
    const result = await runLogward(["stats", "--replay", "--json", "--lateness", "5s", "--format", "combined"], {
      input,
    });
    expect(result.code, result.stderr).toBe(0);
    const stats = jsonLines(result.stdout).filter((o) => o.type === "stats");
    // CLF has whole seconds: T0 - 3.001 s is written as T0 - 4 s, past the 5 s behind T0 + 2 s.
    expect(stats.map((s) => [s.from, s.to, s.hits, s.late])).toEqual([
      [iso(T0 - 3_000), iso(T0), 2, 1],
      [iso(T0), iso(T0 + 10_000), 3, 0],
    ]);
  });
});
