// Attack: 120 lines of 1 MB each, then many failing and aborted streams, against a real daemon. History and
// answers stay bounded in bytes, no stream slot leaks, and memory stays under a stated bound.
import http from "node:http";
import { afterEach, beforeEach, expect, test } from "vitest";
import { tempDir, waitFor } from "../helpers.js";
import { SseReader } from "../web-support.js";
import { startDaemon, type Daemon } from "./daemon.js";

let dir: string;
let cleanup: () => void;
let daemon: Daemon | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir("logward-big-")));
afterEach(async () => {
  await daemon?.stop().catch(() => {});
  daemon = undefined;
  cleanup();
});

const MB = 1024 * 1024;
/**
 * The daemon's resident memory may not pass this (it reached 944 MB before lines were cut and history bounded). The
 * peak is set by garbage collection while 1 MB lines are read: 250–330 MB over runs of one build on Node 24.
 */
const RSS_BOUND_MB = 400;

/** Opens a stream and drops the connection as soon as the answer starts (or at once), leaving the server to clean up. */
function abortedStream(url: string, auth: Record<string, string>, atOnce: boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: auth, agent: false }, (res) => {
      res.destroy();
      resolve();
    });
    req.on("error", () => resolve());
    if (atOnce) setImmediate(() => req.destroy());
  });
}

test("120 × 1 MB lines: /api/tail and streams work, lines are cut, 200 failing streams leak no slot, RSS bounded", async () => {
  daemon = await startDaemon(dir, { web: "pattern_budget: 100ms" });
  const d = daemon;
  for (let i = 0; i < 120; i++) d.appendApp(`${i} ${"x".repeat(MB)}\n`);
  const tail = async () => JSON.parse((await d.get("/api/tail?source=app&lines=1000")).body);
  await waitFor(async () => (await tail()).lines.at(-1)?.line.startsWith("119 "), "the last big line", 60_000);
  await d.provesAlive("after the big lines");

  const answer = await d.get("/api/tail?source=app&lines=1000");
  expect(answer.status).toBe(200);
  // History is bounded by bytes (4 MiB by default), each line cut to 64 KiB and marked with its whole length.
  expect(answer.body.length).toBeLessThan(5 * MB);
  const lines = JSON.parse(answer.body).lines as { line: string; cut?: number }[];
  expect(lines.length).toBeGreaterThan(50);
  expect(lines.length).toBeLessThan(120);
  for (const l of lines) {
    expect(l.line.length).toBe(64 * 1024);
    expect(l.cut).toBeGreaterThanOrEqual(MB); // the file source's own cut (max_line_bytes) is about 1 MiB
  }

  // 200 failing streams: aborted before or during the history, refused filters, filters over budget.
  const stream = (match?: string) =>
    `${d.url}api/stream?source=app${match ? `&match=${encodeURIComponent(match)}` : ""}`;
  for (let round = 0; round < 20; round++) {
    await Promise.all([
      ...Array.from({ length: 4 }, () => abortedStream(stream(), d.auth, true)),
      ...Array.from({ length: 4 }, () => abortedStream(stream(), d.auth, false)),
      abortedStream(stream("/x/"), d.auth, false),
      d.get(`/api/stream?source=app&match=${encodeURIComponent("/(/")}`).then((r) => expect(r.status).toBe(400)),
    ]);
  }
  const slow = await d.get(`/api/stream?source=app&match=${encodeURIComponent("/(x+x+)+y/")}`, 30_000);
  expect(slow.status).toBe(422);
  await waitFor(async () => (await d.metric("web_clients")) === 0, "every stream slot given back");

  // A normal stream still works: its history, then a live line.
  const reader = await SseReader.open(stream(), d.auth);
  expect(reader.status).toBe(200);
  await waitFor(() => reader.lines().some((l) => l.line.startsWith("119 ")), "the history");
  d.appendApp("small line after the attack\n");
  await waitFor(() => reader.lines().some((l) => l.line === "small line after the attack"), "a live line");
  reader.close();
  await d.provesAlive("after the streams");

  const { rssMb, peakMb } = d.memory();
  expect(peakMb).toBeLessThan(RSS_BOUND_MB);
  expect(rssMb).toBeLessThan(RSS_BOUND_MB);
  expect(await d.stop()).toBe(0);
}, 120_000);
