// Attack: client filters that backtrack catastrophically, on /api/tail and a live /api/stream, against a real daemon.
// The daemon must keep answering /healthz within 100 ms, keep acting on its other source, and stop on SIGTERM.
import { afterEach, beforeEach, expect, test } from "vitest";
import { tempDir, waitFor } from "../helpers.js";
import { SseReader } from "../web-support.js";
import { startDaemon, watchHealth, type Daemon } from "./daemon.js";

let dir: string;
let cleanup: () => void;
let daemon: Daemon | undefined;
const readers: SseReader[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-redos-")));
afterEach(async () => {
  for (const r of readers) r.close();
  await daemon?.stop().catch(() => {});
  daemon = undefined;
  cleanup();
});

const tailPath = (match: string) => `/api/tail?source=app&lines=1000&match=${encodeURIComponent(match)}`;

test("ReDoS filters are stopped after their budget; /healthz keeps answering fast and the other source's rules act", async () => {
  daemon = await startDaemon(dir);
  const d = daemon;
  const health = watchHealth(d);
  // A live stream whose filter is fine on the (empty) history, then meets hostile lines as they arrive (with the
  // i flag V8 cannot fall back to its linear-time engine: the backtracking stays exponential).
  const stream = await SseReader.open(`${d.url}api/stream?source=app&match=${encodeURIComponent("/(a+)+$/i")}`, d.auth);
  readers.push(stream);
  expect(stream.status).toBe(200);
  // Lines on which the filters backtrack exponentially: no NUL, and runs of "a" ending in "!".
  d.appendApp(Array.from({ length: 1000 }, (_, i) => `${"a".repeat(40 + (i % 20))}!`).join("\n") + "\n");
  await waitFor(
    async () => JSON.parse((await d.get("/api/tail?source=app&lines=1")).body).lines.length === 1,
    "history",
  );
  await d.provesAlive("while the stream's filter runs");
  await waitFor(() => stream.ended, "the stream ended by its too-slow filter", 20_000);
  expect(stream.ofType("error").map((e) => e.data.message)).toEqual([
    expect.stringMatching(/pattern took longer than 500 ms/),
  ]);

  // Three attacks at once on the history.
  const tails = ["/(.+)+\\x00/", "/(a+)+$/", "/(a|a)+$/"].map((p) => d.get(tailPath(p), 30_000));
  await d.provesAlive("during the attack");
  const answers = await Promise.all(tails);
  const latencies = await health.stop();

  // Each filter is either stopped at its budget or answered safely without backtracking (the literal prefilter
  // finds no NUL byte; V8's linear-time fallback takes over `(a+)+$`): no line matches any of them.
  for (const a of answers) {
    const body = JSON.parse(a.body) as { error?: string; lines?: unknown[] };
    if (a.status === 200) expect(body.lines, a.body).toEqual([]);
    else expect({ status: a.status, error: body.error }, a.body).toEqual({ status: 422, error: "pattern_too_slow" });
  }
  // Each filter ran 500 ms (its budget) in the worker; on the main thread the first one would have held every
  // probe for minutes. The bounds leave room for this 2-core machine: alone, this test measures p50 ≈ 12 ms,
  // p90 ≈ 40 ms, worst ≈ 125 ms; beside the other hostile tests (120 MB of lines, 600 sockets) the worst probe
  // has reached 700 ms while the median stayed at 24 ms: the scheduler's, not the daemon's.
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.floor(sorted.length * q)] ?? Infinity);
  const figures = `${latencies.length} probes: p50 ${at(0.5)}, p90 ${at(0.9)}, max ${at(0.999)} ms`;
  expect(latencies.length, figures).toBeGreaterThan(20);
  expect(at(0.5), figures).toBeLessThan(100);
  expect(at(0.999), figures).toBeLessThan(1_000);
  expect(await d.metric("web_clients")).toBe(0);

  // Afterwards everything works: an ordinary regex filter, a live stream, the rules, and SIGTERM.
  const ok = await d.get(tailPath("/a{50}!/"));
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body).lines.length).toBeGreaterThan(0);
  const live = await SseReader.open(`${d.url}api/stream?source=app&match=${encodeURIComponent("/^b+$/")}`, d.auth);
  readers.push(live);
  d.appendApp("bbb\n");
  await waitFor(() => live.lines().some((l) => l.line === "bbb"), "a filtered live line after the attack");
  await d.provesAlive("after the attack");
  live.close();
  const stopped = performance.now();
  expect(await d.stop(5_000)).toBe(0);
  expect(performance.now() - stopped).toBeLessThan(5_000);
});
