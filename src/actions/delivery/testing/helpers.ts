// Test helpers for delivery: events, a context in a temp dir, polling, and a FakeClock stepper.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeClock } from "../../../core/clock.js";
import { systemClock, type Clock } from "../../../core/clock.js";
import type { ActionContext } from "../../../core/component.js";
import type { LogEvent } from "../../../core/event.js";
import { silentLogger } from "../../../core/logger.js";
import { Metrics } from "../../../core/metrics.js";
import { waitFor } from "../../../../test/helpers.js";

export function tempDir(prefix = "logward-delivery-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testContext(
  name: string,
  options: { clock?: Clock; stateDir?: string; metrics?: Metrics } = {},
): ActionContext {
  return {
    name,
    clock: options.clock ?? systemClock,
    logger: silentLogger,
    metrics: options.metrics ?? new Metrics(),
    stateDir: options.stateDir ?? tempDir(),
  };
}

/** A match event for one line. */
export function lineEvent(line: string, extra: Partial<LogEvent> = {}): LogEvent {
  const time = Date.UTC(2026, 10, 21, 4, 15, 0);
  return {
    kind: "match",
    rule: "r",
    source: "app",
    time,
    records: [{ source: "app", line, time, fields: {} }],
    fields: {},
    count: 1,
    suppressed: 0,
    ...extra,
  };
}

/** Wait until cond() holds, polling; fails after timeoutMs (generous: other tests share the machine). */
export async function until(cond: () => boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
  await waitFor(cond, what, timeoutMs);
}

/** Let pending promise callbacks and I/O run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advance a FakeClock in steps, letting async work run between them (timers set after an await still fire in order).
 */
export async function step(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await settle();
    clock.advance(Math.min(stepMs, ms - done));
  }
  await settle();
}

export function readNdjson(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}
