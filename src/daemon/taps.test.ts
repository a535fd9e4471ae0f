// The pipeline hands taps every batch, alert and report, and lets a tap (not a name) decide the byte prefilter.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tap, TapSourceInfo } from "../core/component.js";
import { systemClock } from "../core/clock.js";
import { MemoryCheckpointStore } from "../core/checkpoint.js";
import type { LogEvent } from "../core/event.js";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { validateConfig } from "../config/load.js";
import { createWebHub } from "../web/hub.js";
import { hubTap } from "../web/tap.js";
import { tempDir } from "../../test/helpers.js";
import { Pipeline } from "./pipeline.js";
import { loadConfiguredKinds } from "./run.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

class RecordingTap implements Tap {
  readonly sources: [string, TapSourceInfo][] = [];
  readonly lines: { line: string; rules: string[] | undefined }[] = [];
  readonly alerts: LogEvent[] = [];
  readonly reports: [string, unknown][] = [];
  constructor(private readonly allLines: boolean) {}
  sourceAdded(name: string, info: TapSourceInfo): void {
    this.sources.push([name, info]);
  }
  wantsAllLines(): boolean {
    return this.allLines;
  }
  records(records: { line: string }[], matched: ReadonlyMap<unknown, string[]>): void {
    for (const r of records) this.lines.push({ line: r.line, rules: matched.get(r) });
  }
  alert(event: LogEvent): void {
    this.alerts.push(event);
  }
  report(job: string, report: unknown): void {
    this.reports.push([job, report]);
  }
}

/** Every third line holds "fail"; the rest hold no literal of any rule. */
const LINES = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `auth fail ${i}` : `ordinary ${i}`));

async function runOnce(taps: Tap[], stats: Record<string, unknown> = {}, lines = LINES): Promise<void> {
  const log = join(dir, "app.log");
  writeFileSync(log, lines.join("\n") + "\n");
  const config = validateConfig({
    state_dir: join(dir, "state"),
    sources: { app: { path: log, start_at: "beginning" } },
    rules: {
      fail: { source: "app", match: "fail", actions: ["out"] },
      storm: { source: "app", match: "auth fail", threshold: { count: 50, within: "1h" }, actions: ["out"] },
    },
    stats,
    actions: { out: { type: "file", path: join(dir, "out.ndjson") } },
  });
  const common = { clock: systemClock, logger: silentLogger, metrics: new Metrics(), stateDir: config.state_dir };
  await loadConfiguredKinds(config);
  const pipeline = new Pipeline(config, { ...common, checkpoints: new MemoryCheckpointStore(), once: true, taps });
  await pipeline.start();
  await pipeline.caughtUp();
  await pipeline.drain(5_000);
}

describe("pipeline taps", () => {
  it("a tap wanting every line gets every line, the rules that matched each, and the threshold's alert", async () => {
    const tap = new RecordingTap(true);
    await runOnce([tap]);
    expect(tap.sources).toEqual([["app", { type: "file", path: join(dir, "app.log") }]]);
    expect(tap.lines.map((l) => l.line)).toEqual(LINES);
    const fails = tap.lines.filter((l) => l.line.includes("fail"));
    expect(fails.every((l) => l.rules?.join() === "fail,storm")).toBe(true);
    expect(tap.lines.filter((l) => !l.line.includes("fail")).every((l) => l.rules === undefined)).toBe(true);
    expect(tap.alerts.map((e) => [e.kind, e.rule])).toEqual([
      ["threshold", "storm"],
      ["threshold", "storm"],
    ]);
  });

  it("taps that do not want every line leave the byte prefilter on: lines without a literal never come", async () => {
    const tap = new RecordingTap(false);
    await runOnce([tap]);
    expect(tap.lines.map((l) => l.line)).toEqual(LINES.filter((l) => l.includes("fail")));
  });

  it("one tap wanting every line among several turns the prefilter off for all of them", async () => {
    const taps = [new RecordingTap(false), new RecordingTap(true)];
    await runOnce(taps);
    for (const tap of taps) expect(tap.lines).toHaveLength(LINES.length);
  });

  it("a stats job's reports reach the tap: one per 10 s interval of the lines' minute, every hit counted", async () => {
    const tap = new RecordingTap(false);
    // Five lines a second, in order, over one minute: every line on time, six 10 s intervals.
    const second = (i: number) => String(Math.floor(i / 5)).padStart(2, "0");
    const access = LINES.map(
      (l, i) =>
        `10.0.0.${i % 7} - - [06/Dec/2026:10:00:${second(i)} +0000] "GET /${l.replace(/ /g, "/")} HTTP/1.1" 200 5`,
    );
    await runOnce([tap], { traffic: { source: "app", format: "common" } }, access);
    expect(tap.reports.map(([job]) => job)).toEqual(Array(6).fill("traffic"));
    const hits = tap.reports.map(([, report]) => (report as { hits: number }).hits);
    expect(hits.reduce((a, b) => a + b)).toBe(LINES.length);
    // A stats job reads every line of its source: the prefilter is off whatever the tap wants.
    expect(tap.lines).toHaveLength(LINES.length);
  });

  it("the web hub as a tap holds every line with the rules that matched it, and the alerts", async () => {
    const hub = createWebHub({ clock: systemClock });
    await runOnce([hubTap(hub)]);
    expect(hub.sources()).toEqual([
      { name: "app", type: "file", path: join(dir, "app.log"), lines: LINES.length, held: LINES.length },
    ]);
    const held = hub.tail("app", LINES.length);
    expect(held.map((l) => l.line)).toEqual(LINES);
    expect(held.filter((l) => l.rules?.join() === "fail,storm").map((l) => l.line)).toEqual(
      LINES.filter((l) => l.includes("fail")),
    );
    expect(hub.alerts().map((a) => [a.kind, a.rule])).toEqual([
      ["threshold", "storm"],
      ["threshold", "storm"],
    ]);
  });
});
