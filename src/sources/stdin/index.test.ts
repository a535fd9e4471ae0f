import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { MemoryCheckpointStore } from "../../core/checkpoint.js";
import type { SourceContext } from "../../core/component.js";
import { silentLogger } from "../../core/logger.js";
import { Metrics } from "../../core/metrics.js";
import type { LogRecord } from "../../core/record.js";
import { createStdinSource, stdinSource } from "./index.js";

function context(records: LogRecord[], batches: number[]): SourceContext {
  return {
    name: "in",
    clock: systemClock,
    logger: silentLogger,
    metrics: new Metrics(),
    stateDir: "/nonexistent",
    checkpoints: new MemoryCheckpointStore(),
    once: false,
    emit: async (batch) => {
      records.push(...batch.records);
      batches.push(batch.records.length);
      const release = batch.ack.hold();
      release();
    },
  };
}

describe("stdin source", () => {
  it("emits lines in batches and resolves caughtUp at end of input, with a final unterminated line", async () => {
    const input = new PassThrough();
    const records: LogRecord[] = [];
    const batches: number[] = [];
    const source = createStdinSource(stdinSource.schema.parse({}), context(records, batches), input);
    await source.start();
    input.write("one\ntw");
    input.write("o\r\nthree");
    input.end();
    await source.caughtUp();
    expect(records.map((r) => r.line)).toEqual(["one", "two", "three"]);
    expect(records.map((r) => r.offset)).toEqual([0, 4, 9]);
    expect(records[0]).toMatchObject({ source: "in", fields: {} });
    expect(batches.length).toBeGreaterThanOrEqual(2);
    await source.stop();
  });

  it("joins multiline events", async () => {
    const input = new PassThrough();
    const records: LogRecord[] = [];
    const source = createStdinSource(
      stdinSource.schema.parse({ multiline: { start: "/^\\S/" } }),
      context(records, []),
      input,
    );
    await source.start();
    input.end("Error\n  at x\n  at y\nnext\n");
    await source.caughtUp();
    expect(records.map((r) => r.line)).toEqual(["Error\n  at x\n  at y", "next"]);
    await source.stop();
  });
});
