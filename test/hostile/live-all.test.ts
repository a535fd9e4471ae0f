// Attack on the newer routes of a real daemon: the all-sources stream (big lines, aborted and hostile-filter streams)
// and /api/events (more clients than it takes, aborted ones, none reading). Slots come back, memory stays bounded,
// the rules keep acting.
import http from "node:http";
import { afterEach, beforeEach, expect, test } from "vitest";
import { tempDir, waitFor } from "../helpers.js";
import { SseReader } from "../web-support.js";
import { startDaemon, type Daemon } from "./daemon.js";

let dir: string;
let cleanup: () => void;
let daemon: Daemon | undefined;
const readers: SseReader[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-live-all-")));
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await daemon?.stop().catch(() => {});
  daemon = undefined;
  cleanup();
});

const MB = 1024 * 1024;
/** As for one source's stream (big-lines.test.ts): history and queues are bounded in bytes; GC sets the peak. */
const RSS_BOUND_MB = 400;

/** A GET whose connection is dropped as soon as the answer starts (or at once). */
function aborted(url: string, auth: Record<string, string>, atOnce: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: auth, agent: false }, (res) => {
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    if (atOnce) setImmediate(() => req.destroy());
  });
}

test("all-sources stream and /api/events under attack: bounded history, slots given back, 503 beyond the limit, RSS bounded", async () => {
  daemon = await startDaemon(dir, { web: "pattern_budget: 100ms" });
  const d = daemon;
  for (let i = 0; i < 60; i++) d.appendApp(`${i} ${"x".repeat(MB)}\n`);
  const tail = async () => JSON.parse((await d.get("/api/tail?lines=1000")).body);
  await waitFor(async () => (await tail()).lines.at(-1)?.line.startsWith("59 "), "the last big line", 60_000);
  await d.provesAlive("after the big lines");
  const answer = await d.get("/api/tail?lines=1000");
  expect(answer.body.length).toBeLessThan(5 * MB); // every source's history is bounded in bytes too

  // Streams of every source: aborted before and during the history, and with a filter over its budget.
  const all = `${d.url}api/stream`;
  for (let round = 0; round < 10; round++) {
    await Promise.all([
      ...Array.from({ length: 4 }, () => aborted(all, d.auth, true)),
      ...Array.from({ length: 4 }, () => aborted(all, d.auth, false)),
    ]);
  }
  const slow = await d.get(`/api/stream?match=${encodeURIComponent("/(x+x+)+y/")}`, 30_000);
  expect(slow.status).toBe(422);
  await waitFor(async () => (await d.metric("web_clients")) === 0, "every stream slot given back");

  // 130 event streams that never read: 100 are taken, the rest refused at once.
  const held = await Promise.all(Array.from({ length: 130 }, () => SseReader.open(`${d.url}api/events`, d.auth)));
  readers.push(...held);
  for (const r of held) r.pause();
  const statuses = held.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 200).length).toBe(100);
  expect(statuses.filter((s) => s === 503).length).toBe(30);
  await d.provesAlive("with the event streams held");
  for (const r of held) r.close();
  await Promise.all(Array.from({ length: 40 }, (_, i) => aborted(`${d.url}api/events`, d.auth, i % 2 === 0)));
  await waitFor(async () => (await d.metric("web_event_clients")) === 0, "every event slot given back");

  // Afterwards: the all-sources stream and the events stream work.
  const live = await SseReader.open(all, d.auth);
  const events = await SseReader.open(`${d.url}api/events`, d.auth);
  readers.push(live, events);
  await waitFor(() => events.ofType("alerts").length === 1, "the events snapshot");
  d.appendApp("small line after the attack\n");
  await waitFor(
    () => live.lines().some((l) => l.line === "small line after the attack" && l.source === "app"),
    "a line",
  );
  await d.provesAlive("after the attack");
  const { rssMb, peakMb } = d.memory();
  expect(peakMb).toBeLessThan(RSS_BOUND_MB);
  expect(rssMb).toBeLessThan(RSS_BOUND_MB);
  expect(await d.stop()).toBe(0);
}, 120_000);
