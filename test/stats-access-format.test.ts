// End to end: `logward stats --access-format` (nginx log_format, Apache LogFormat) reports what `combined` reports.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLogward, tempDir } from "./helpers.js";

const T0 = Date.UTC(2026, 10, 21, 4, 0, 0);
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const PATHS = ["/api/user/1", "/api/order/7", "/report", "/static/app.js", "/"];

function clfTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const date = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}`;
  return `${date}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Requests at 4/s for 100 s, then 25/s for 100 s, then 4/s: each as its fields. */
function requests() {
  const out: { time: string; host: string; path: string; status: number; bytes: number }[] = [];
  for (let s = 0; s < 300; s++)
    for (let i = 0; i < (s >= 100 && s < 200 ? 25 : 4); i++) {
      const n = out.length;
      out.push({
        time: clfTime(T0 + s * 1000),
        host: `10.0.0.${n % 7}`,
        path: PATHS[n % 5]!,
        status: n % 40 ? 200 : 503,
        bytes: 100 + (n % 13),
      });
    }
  return out;
}

describe("logward stats --access-format", () => {
  const { dir, cleanup } = tempDir("logward-stats-format-");
  afterAll(cleanup);
  const write = (name: string, line: (r: ReturnType<typeof requests>[number]) => string) => {
    const file = join(dir, name);
    writeFileSync(file, requests().map(line).join("\n") + "\n");
    return file;
  };
  const stats = async (file: string, ...flags: string[]) => {
    const result = await runLogward(["stats", file, "--replay", "--json", "--threshold", "10", ...flags]);
    expect(result.stderr, result.stderr).not.toMatch(/error|invalid": *[1-9]/i);
    expect(result.code).toBe(0);
    return result.stdout;
  };

  it("reads an nginx log_format and an Apache LogFormat into the same reports as combined", async () => {
    const combined = await stats(
      write(
        "combined.log",
        (r) => `${r.host} - - [${r.time}] "GET ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "lg"`,
      ),
      "--format",
      "combined",
    );
    const nginx = await stats(
      write("nginx.log", (r) => `${r.time}|${r.status}|${r.host}|"GET ${r.path} HTTP/2.0"|${r.bytes}|rt=0.004|up="-"`),
      "--access-format",
      '$time_local|$status|$remote_addr|"$request"|$body_bytes_sent|rt=$request_time|up="$upstream_addr"',
    );
    const apache = await stats(
      write("apache.log", (r) => `[${r.time}] ${r.host} "GET ${r.path} HTTP/1.0" ${r.status} ${r.bytes} 1234 www`),
      "--access-format",
      '%t %h "%r" %>s %b %D %v',
    );
    expect(combined).toContain('"type":"alert"');
    expect(nginx).toBe(combined);
    expect(apache).toBe(combined);
  });

  it("says which flag is wrong when the format cannot be read back", async () => {
    const file = write("x.log", () => "x");
    const result = await runLogward(["stats", file, "--replay", "--access-format", "$remote_addr$status"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--access-format: .*nothing between them/);
  });
});
