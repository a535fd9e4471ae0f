// Test helpers for actions: a context with a log recorder, temp dirs, polling waits and sample events.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock, type Clock } from "../../../core/clock.js";
import type { ActionContext } from "../../../core/component.js";
import type { LogEvent } from "../../../core/event.js";
import type { Logger } from "../../../core/logger.js";
import { Metrics } from "../../../core/metrics.js";
import type { LogRecord } from "../../../core/record.js";
import { waitFor } from "../../../../test/helpers.js";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown>;
}

/** A Logger that keeps every entry (with the bindings of its children) for assertions. */
export function recordingLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { entries: LogEntry[] } {
  const log = (level: LogEntry["level"]) => (obj: object | string, msg?: string) => {
    const fields = typeof obj === "string" ? {} : (obj as Record<string, unknown>);
    entries.push({ level, msg: typeof obj === "string" ? obj : (msg ?? ""), fields: { ...bindings, ...fields } });
  };
  return {
    entries,
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

export function actionContext(
  name: string,
  clock: Clock = systemClock,
): ActionContext & { logger: ReturnType<typeof recordingLogger> } {
  return { name, clock, logger: recordingLogger(), metrics: new Metrics(), stateDir: tempDir() };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "logward-action-"));
}

export { waitFor };

/** The file's content once it exists, else undefined (for waitFor). */
export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** A process is gone when signalling it fails, or it is a zombie nobody reaped yet. */
export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = readIfExists(`/proc/${pid}/stat`);
  return stat === undefined || / Z /.test(stat);
}

export const T0 = Date.UTC(2026, 10, 21, 4, 15, 0);

export function record(line: string, extra: Partial<LogRecord> = {}): LogRecord {
  return { source: "app", file: "/var/log/app.log", offset: 0, line, time: T0, fields: {}, ...extra };
}

/** A match event of rule `r` for these lines (the last one triggering). */
export function matchEvent(lines: string[], extra: Partial<LogEvent> = {}): LogEvent {
  const records = lines.map((line, i) => record(line, { offset: i * 100, time: T0 + i }));
  return {
    kind: "match",
    rule: "r",
    source: "app",
    time: T0 + lines.length - 1,
    records,
    match: "",
    fields: {},
    count: records.length,
    suppressed: 0,
    ...extra,
  };
}

/** A release that records it was called, with a promise for awaiting it. */
export function trackedRelease(): { release: () => void; released: () => boolean; done: Promise<void> } {
  let called = false;
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  return {
    release: () => {
      called = true;
      resolve();
    },
    released: () => called,
    done,
  };
}
