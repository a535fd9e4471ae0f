// End to end: `logward run` with a stats job and the web view, killed with SIGKILL while it writes its web history,
// restarted on the same state_dir: /api/stats and /api/alerts go on from what was there before the kill.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const TOKEN = "history-test-token";

/** An access-log line stamped `ms` ("Mon, 07 Dec 2026 04:15:00 GMT" gives the parts of "07/Dec/2026:04:15:00"). */
function accessLine(ms: number): string {
  const [, day, month, year, time] = new Date(ms).toUTCString().split(" ");
  return `192.0.2.7 - - [${day}/${month}/${year}:${time} +0000] "GET /api/orders HTTP/1.1" 200 99 "-" "history-test"`;
}

let running: Running | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
  for (const c of cleanups.splice(0)) c();
});

interface Point {
  t: number;
}

async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const points = async (url: string): Promise<number[]> =>
  (await getJson<{ jobs: { points: Point[] }[] }>(url, "api/stats")).jobs[0]?.points.map((p) => p.t) ?? [];
const alertTimes = async (url: string): Promise<string[]> =>
  (await getJson<{ alerts: { time: number; kind: string }[] }>(url, "api/alerts")).alerts.map(
    (a) => `${a.kind}@${a.time}`,
  );

test("SIGKILL twice while reports and alerts are written: each restart has every report and alert from before", async () => {
  const { dir, cleanup } = tempDir("logward-web-history-kill-");
  cleanups.push(cleanup);
  const access = join(dir, "access.log");
  writeFileSync(access, "");
  const config = join(dir, "logward.yaml");
  writeFileSync(
    config,
    [
      `state_dir: ${dir}/state`,
      "sources:",
      `  access: { path: "${access}" }`,
      "stats:",
      "  traffic: { source: access, interval: 1s, window: 2s, lateness: 1s, alert: { above: 5, over: 2s } }",
      `web: { listen: "127.0.0.1:0", token: ${TOKEN} }`,
    ].join("\n"),
  );
  let before: number[] = [];
  let alertsBefore: string[] = [];
  for (let run = 0; run < 2; run++) {
    running = startLogward(["run", "-c", config]);
    const url = String((await running.waitForLog("web UI listening", 20_000)).url);
    await running.waitForLog("logward running", 20_000);
    // What was there before the kill is there at once, before any new report.
    const reloaded = await points(url);
    expect(reloaded.slice(0, before.length)).toEqual(before);
    expect((await alertTimes(url)).slice(0, alertsBefore.length)).toEqual(alertsBefore);
    // A burst (an alert fires), then quiet (it recovers), while reports come every second.
    const burst = setInterval(
      () => appendFileSync(access, Array.from({ length: 20 }, () => accessLine(Date.now())).join("\n") + "\n"),
      100,
    );
    try {
      await waitFor(async () => (await alertTimes(url)).length > alertsBefore.length, "an alert", 20_000);
    } finally {
      clearInterval(burst);
    }
    await waitFor(async () => (await alertTimes(url)).at(-1)?.startsWith("recovery@"), "the recovery", 20_000);
    await waitFor(async () => (await points(url)).length >= before.length + 3, "three more reports", 20_000);
    before = await points(url);
    alertsBefore = await alertTimes(url);
    // Written within the flush period (1 s); then killed at once, maybe in the middle of the next write.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const logs = running.logs().filter((l) => l.level === 40 || l.level === "warn");
    expect(logs.filter((l) => /web history/.test(String(l.msg)))).toEqual([]);
    await running.stop("SIGKILL");
    running = undefined;
  }
}, 180_000);
