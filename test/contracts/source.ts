// The contract every source kind keeps, as one suite run against each implementation (Hono's runTest style).
import { afterEach, describe, expect, it } from "vitest";
import { MemoryCheckpointStore } from "../../src/core/checkpoint.js";
import { systemClock } from "../../src/core/clock.js";
import type { Source, SourceContext, SourceKind } from "../../src/core/component.js";
import { silentLogger } from "../../src/core/logger.js";
import { Metrics } from "../../src/core/metrics.js";
import type { RecordBatch } from "../../src/core/record.js";
import { waitFor } from "../helpers.js";

/** One implementation under test, with what feeds it. */
export interface SourceSubject {
  /** A config (without `type`) that reads what write() writes. */
  config: Record<string, unknown>;
  /** Make one line reach the source (after start). */
  write(line: string): Promise<void>;
  /** A config the schema must reject, and the key its issue must name. */
  bad: { config: Record<string, unknown>; key: string };
  /** Build the source (default: the kind's own create). */
  create?(config: unknown, context: SourceContext): Source;
  /** Stop the source (default: stop()); a kind with a long documented grace may pass a shorter one here. */
  stop?(source: Source): Promise<void>;
  close?(): Promise<void>;
}

export interface SourceContract {
  kind: SourceKind;
  newSubject(): Promise<SourceSubject>;
}

/** A stopping source may wait for work in hand, but only so long: a held emit must not hold the daemon forever. */
const STOP_BUDGET_MS = 8000;

export function runSourceContract({ kind, newSubject }: SourceContract): void {
  describe(`source contract: ${kind.type}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function build(emit: (batch: RecordBatch) => Promise<void>) {
      const subject = await newSubject();
      cleanups.push(async () => subject.close?.());
      const context: SourceContext = {
        name: `contract-${kind.type}`,
        clock: systemClock,
        logger: silentLogger,
        metrics: new Metrics(),
        stateDir: "/nonexistent",
        checkpoints: new MemoryCheckpointStore(),
        once: false,
        emit,
      };
      const config = kind.schema.parse(subject.config);
      const source = subject.create ? subject.create(config, context) : kind.create(config, context);
      return { subject, source, context };
    }

    it("emits each written line exactly once, under the source's name", async () => {
      const seen: string[] = [];
      const built = await build(async (batch) => {
        expect(batch.source).toBe(built.context.name);
        for (const record of batch.records) {
          expect(record.source).toBe(built.context.name);
          seen.push(record.line);
        }
        batch.ack.hold()(); // delivered at once
      });
      cleanups.unshift(() => built.source.stop());
      await built.source.start();
      const lines = ["contract line 1", "contract line 2 ünïcödé", "contract line 3"];
      for (const line of lines) {
        await built.subject.write(line);
        await waitFor(() => seen.includes(line), `"${line}" to be emitted`);
      }
      await built.source.settle?.();
      expect(seen.filter((line) => lines.includes(line))).toEqual(lines);
    });

    it("stops within its budget while the pipeline never accepts a batch (backpressure)", async () => {
      let emits = 0;
      const built = await build(() => {
        emits++;
        return new Promise<void>(() => {}); // never accepted
      });
      await built.source.start();
      await built.subject.write("held line");
      await waitFor(() => emits > 0, "a batch to be offered");
      const started = Date.now();
      const stopped = await Promise.race([
        (built.subject.stop ? built.subject.stop(built.source) : built.source.stop()).then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_BUDGET_MS).unref()),
      ]);
      expect(stopped, `stop() still pending after ${Date.now() - started} ms`).toBe(true);
    });

    it("rejects a bad config with an issue at the key", async () => {
      const subject = await newSubject();
      cleanups.push(async () => subject.close?.());
      const parsed = kind.schema.safeParse(subject.bad.config);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toContain(subject.bad.key);
    });
  });
}
