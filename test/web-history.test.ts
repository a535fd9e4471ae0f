// Reports and alerts kept in state_dir across restarts: continuity, a torn end at every byte, garbage, a file from a
// newer logward, a huge file, the age bound, and a file that stays bounded however long the daemon runs.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { FakeClock } from "../src/core/clock.js";
import type { LogEvent } from "../src/core/event.js";
import type { Logger } from "../src/core/logger.js";
import { createWebHub, type WebHub } from "../src/web/hub.js";
import { HISTORY_FILE, openWebHistory, type WebHistory } from "../src/web/history.js";
import { parseHistory } from "../src/web/history-file.js";
import { tempDir } from "./helpers.js";

const T0 = Date.UTC(2026, 11, 7, 1, 0, 0);
const DAY = 24 * 3600 * 1000;
let dir: string;
let cleanup: () => void;
let open: WebHistory[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-web-history-")));
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
  cleanup();
});

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (obj: object | string, msg?: string) => void warnings.push(msg ?? String(obj)),
    error: (obj: object | string, msg?: string) => void warnings.push(msg ?? String(obj)),
    child: () => logger,
  };
  return logger;
}

async function start(
  options: { at?: number; alerts?: number; maxLoadBytes?: number; in?: string } = {},
): Promise<{ hub: WebHub; history: WebHistory; clock: FakeClock; logger: ReturnType<typeof recordingLogger> }> {
  const clock = new FakeClock(options.at ?? T0);
  const hub = createWebHub({ clock, alertEntries: options.alerts ?? 500, statsReports: 20 });
  const logger = recordingLogger();
  const history = await openWebHistory({
    dir: options.in ?? dir,
    hub,
    clock,
    logger,
    maxAgeMs: DAY,
    flushMs: 60_000, // the tests flush themselves
    ...(options.maxLoadBytes ? { maxLoadBytes: options.maxLoadBytes } : {}),
  });
  open.push(history);
  return { hub, history, clock, logger };
}

async function stop(history: WebHistory): Promise<void> {
  await history.close();
  open = open.filter((h) => h !== history);
}

function alert(i: number, time = T0 + i): LogEvent {
  return {
    kind: i % 2 ? "recovery" : "alert",
    rule: "traffic",
    source: "nginx",
    time,
    records: [],
    fields: {},
    count: i,
    suppressed: 0,
    message: `alert ${i}`,
  };
}

const report = (i: number) => ({ from: T0 + i * 10_000, to: T0 + (i + 1) * 10_000, hits: i, rate: i / 10 });
const messages = (hub: WebHub): string[] => hub.alerts().map((a) => a.message);
const historyFile = (): string => path.join(dir, HISTORY_FILE);

describe("web history in state_dir", () => {
  test("a restart continues the charts and the alert list where they were", async () => {
    const first = await start();
    for (let i = 0; i < 30; i++) first.hub.pushStats(i % 3 ? "web" : "api", report(i));
    for (let i = 0; i < 7; i++) first.hub.pushAlert(alert(i));
    await first.history.flush();
    for (let i = 7; i < 9; i++) first.hub.pushAlert(alert(i)); // not flushed yet: close() writes them
    await stop(first.history);

    const second = await start({ at: T0 + 60_000 });
    expect(second.hub.stats()).toEqual(first.hub.stats());
    expect(second.hub.alerts()).toEqual(first.hub.alerts());
    expect(second.logger.warnings).toEqual([]);
    // And it goes on from there, across another restart.
    second.hub.pushAlert(alert(9));
    await stop(second.history);
    const third = await start({ at: T0 + 120_000 });
    expect(messages(third.hub)).toEqual(Array.from({ length: 10 }, (_, i) => `alert ${i}`));
  });

  test("a file cut at any byte (a crash mid-write) loads what is whole, never fails, and is written clean again", async () => {
    const first = await start();
    for (let i = 0; i < 4; i++) first.hub.pushAlert(alert(i));
    await first.history.flush(); // the clean rewrite at start, then these four appended
    for (let i = 4; i < 8; i++) first.hub.pushAlert(alert(i));
    await stop(first.history);
    const whole = fs.readFileSync(historyFile());
    // Where each line's text ends (its newline): a record whose text is all there loads, newline or not.
    const textEnds = [...whole.toString("latin1").matchAll(/\n/g)].map((m) => m.index ?? 0);
    const expected = (cut: number): string[] =>
      Array.from({ length: Math.max(0, textEnds.filter((end) => end <= cut).length - 1) }, (_, i) => `alert ${i}`);
    // From the header's end: the header is written whole with the file (temp file, fsync, rename), never torn.
    const firstCut = (textEnds[0] ?? 0) + 1;
    for (let cut = firstCut; cut <= whole.length; cut++) {
      const parsed = parseHistory(whole.subarray(0, cut).toString("utf8"), 0, false);
      expect(parsed.alerts.map((a) => a.message)).toEqual(expected(cut));
      expect(parsed.bad === 0 || parsed.tornEnd).toBe(true);
    }
    // Through the store (files, fsync, rename): around each record's end, and inside each record.
    const cuts = textEnds.flatMap((end, i) => [
      end - 1,
      end,
      end + 1,
      Math.floor((end + (textEnds[i + 1] ?? end)) / 2),
    ]);
    for (const cut of new Set(cuts.filter((c) => c >= firstCut && c <= whole.length))) {
      const at = path.join(dir, `cut-${cut}`);
      fs.mkdirSync(at);
      fs.writeFileSync(path.join(at, HISTORY_FILE), whole.subarray(0, cut));
      const run = await start({ in: at });
      expect(messages(run.hub)).toEqual(expected(cut));
      expect(run.logger.warnings).toEqual([]); // a torn end is expected after a crash: nothing to warn about
      run.hub.pushAlert(alert(100));
      await stop(run.history);
      const again = await start({ in: at });
      expect(messages(again.hub)).toEqual([...messages(run.hub)]);
      await stop(again.history);
      fs.rmSync(at, { recursive: true });
    }
  });

  test("a file of garbage: a warning, moved aside, and a fresh history", async () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    fs.writeFileSync(historyFile(), garbage);
    const run = await start();
    expect(run.hub.alerts()).toEqual([]);
    expect(run.logger.warnings).toEqual(["web history file is corrupt: kept aside, starting without it"]);
    expect(fs.readFileSync(`${historyFile()}.corrupt`)).toEqual(garbage);
    run.hub.pushAlert(alert(1));
    await stop(run.history);
    expect(messages((await start()).hub)).toEqual(["alert 1"]);
  });

  test("valid JSON that is not a record, and wrong types, are skipped with a warning; the records around them kept", async () => {
    const first = await start();
    first.hub.pushAlert(alert(1));
    await stop(first.history);
    const bad = ['{"alert":{"time":"soon"}}', "[1,2]", '{"report":{"job":7}}', "null", '{"alert":{}}'];
    fs.appendFileSync(historyFile(), bad.join("\n") + "\n" + JSON.stringify({ alert: { ...alertEntry(2) } }) + "\n");
    const run = await start();
    expect(messages(run.hub)).toEqual(["alert 1", "alert 2"]);
    expect(run.logger.warnings).toEqual(["web history: lines that are not records were skipped"]);
  });

  test("a file from a newer logward is kept aside untouched, and the history starts empty", async () => {
    const future = ['{"logward":"web-history","version":2}', '{"alert2":{"when":"later"}}'].join("\n") + "\n";
    fs.writeFileSync(historyFile(), future);
    const run = await start();
    expect(run.hub.alerts()).toEqual([]);
    expect(run.logger.warnings).toEqual(["web history was written by a newer logward: kept aside, starting without"]);
    expect(fs.readFileSync(`${historyFile()}.newer`, "utf8")).toBe(future);
  });

  test("a huge file: only its end is read (the newest records), memory stays bounded, the file is rewritten small", async () => {
    const lines = ['{"logward":"web-history","version":1}'];
    for (let i = 0; i < 20_000; i++) lines.push(JSON.stringify({ alert: alertEntry(i) }));
    fs.writeFileSync(historyFile(), lines.join("\n") + "\n");
    const size = fs.statSync(historyFile()).size;
    const run = await start({ maxLoadBytes: 64 * 1024, alerts: 100 });
    expect(run.logger.warnings).toEqual(["web history file is too big: only its end is read"]);
    expect(messages(run.hub)).toEqual(Array.from({ length: 100 }, (_, i) => `alert ${19_900 + i}`));
    expect(fs.statSync(historyFile()).size).toBeLessThan(size / 50);
  });

  test("records older than the age bound are not loaded; a directory in the file's place is survived", async () => {
    const first = await start();
    first.hub.pushAlert(alert(1, T0 - 2 * DAY));
    first.hub.pushAlert(alert(2, T0));
    await stop(first.history);
    expect(messages((await start({ at: T0 + DAY / 2 })).hub)).toEqual(["alert 2"]);

    const other = path.join(dir, "other");
    fs.mkdirSync(path.join(other, HISTORY_FILE), { recursive: true });
    const run = await start({ in: other });
    run.hub.pushAlert(alert(3));
    await run.history.flush();
    expect(run.logger.warnings).toEqual([
      "cannot read the web history: starting without it",
      "cannot write the web history",
    ]);
    expect(messages(run.hub)).toEqual(["alert 3"]); // the view goes on without its file
  });

  test("the file stays bounded however many reports and alerts come: it is compacted from what the hub keeps", async () => {
    const run = await start({ alerts: 50 });
    let biggest = 0;
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 20; i++) run.hub.pushAlert(alert(round * 20 + i));
      run.hub.pushStats("web", report(round));
      await run.history.flush();
      biggest = Math.max(biggest, fs.statSync(historyFile()).size);
    }
    const oneRecord = JSON.stringify({ alert: alertEntry(1999) }).length + 1;
    // Held: 50 alerts and 20 reports; the file is compacted once it holds more than twice that (plus 100).
    expect(biggest).toBeLessThan((2 * 70 + 100 + 20) * oneRecord * 1.5);
    await stop(run.history);
    const again = await start({ alerts: 50 });
    expect(messages(again.hub)).toEqual(Array.from({ length: 50 }, (_, i) => `alert ${1950 + i}`));
    expect(again.hub.stats().web?.length).toBe(20);
  });
});

function alertEntry(i: number) {
  return { time: T0 + i, kind: "alert", rule: "traffic", source: "nginx", message: `alert ${i}`, count: i };
}
