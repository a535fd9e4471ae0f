// The contract every action kind keeps, as one suite run against each implementation (Hono's runTest style).
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import type { Action, ActionContext, ActionKind } from "../../src/core/component.js";
import type { LogEvent } from "../../src/core/event.js";
import { silentLogger } from "../../src/core/logger.js";
import { Metrics } from "../../src/core/metrics.js";
import { STANDARD_ACTION_METRICS } from "../../src/actions/standard.js";
import { tempDir, waitFor } from "../helpers.js";

/** One implementation under test, with the peers it needs. */
export interface ActionSubject {
  /** A config (without `type`) whose peer answers at once. */
  config(): Promise<Record<string, unknown>>;
  /** A config whose peer never answers (required unless the contract says the kind cannot be stalled). */
  stalled?(): Promise<Record<string, unknown>>;
  /** A config the schema must reject, and the key its issue must name. */
  bad: { config: Record<string, unknown>; key: string };
  /** How many events the peer has seen (for the stalled case: the event did reach it). */
  seen?(): number;
  /** Closes the peers. */
  close?(): Promise<void>;
}

export interface ActionContract {
  kind: ActionKind;
  newSubject(): Promise<ActionSubject>;
  /** False for a kind no peer can stall from outside: its stall cases are not part of its suite (not skipped). */
  stallable?: boolean;
}

/** Generous for a loaded machine, still far below a stalled peer's never. */
const SLACK_MS = 3000;

export function runActionContract({ kind, newSubject, stallable = true }: ActionContract): void {
  describe(`action contract: ${kind.type}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function build(pick: (s: ActionSubject) => Promise<Record<string, unknown>> | undefined) {
      const subject = await newSubject();
      cleanups.push(async () => subject.close?.());
      const raw = pick(subject);
      if (!raw) return undefined;
      const metrics = new Metrics();
      const state = tempDir("logward-contract-");
      cleanups.push(async () => state.cleanup());
      const context: ActionContext = {
        name: `contract-${kind.type}`,
        clock: systemClock,
        logger: silentLogger,
        metrics,
        stateDir: state.dir,
      };
      const action: Action = kind.create(kind.schema.parse(await raw), context);
      cleanups.unshift(() => action.stop()); // stopped before its peers close
      return { subject, action, metrics, context };
    }

    /** The action against a peer that never answers; a stallable kind whose subject has none fails the test. */
    async function buildStalled() {
      const built = await build((s) => s.stalled?.());
      if (!built) throw new Error(`the ${kind.type} subject has no stalled peer`);
      return built;
    }

    it("releases every event exactly once, all of them by the time flush resolves", async () => {
      const built = (await build((s) => s.config()))!;
      const counts = Array.from({ length: 20 }, () => 0);
      for (let i = 0; i < counts.length; i++) await built.action.send(event(i), () => counts[i]!++);
      await built.action.flush(15_000);
      expect(counts).toEqual(counts.map(() => 1));
      await built.action.flush(200); // nothing left: no late second release either
      await built.action.stop();
      expect(counts).toEqual(counts.map(() => 1));
    });

    it("counts the standard metrics, labelled with the action and its type", async () => {
      const built = (await build((s) => s.config()))!;
      let released = 0;
      for (let i = 0; i < 3; i++) await built.action.send(event(i), () => released++);
      await built.action.flush(15_000);
      expect(released).toBe(3);
      const text = await built.metrics.text();
      const labels = `{action="${built.context.name}",type="${kind.type}"}`;
      expect(text).toContain(`logward_${STANDARD_ACTION_METRICS.received}${labels} 3`);
      expect(text).toContain(`logward_${STANDARD_ACTION_METRICS.released}${labels} 3`);
    });

    it("rejects a bad config with an issue at the key", async () => {
      const subject = await newSubject();
      cleanups.push(async () => subject.close?.());
      const parsed = kind.schema.safeParse(subject.bad.config);
      expect(parsed.success).toBe(false);
      const paths = parsed.error?.issues.map((issue) => issue.path.join(".")) ?? [];
      expect(paths).toContain(subject.bad.key);
    });

    if (stallable) {
      it("returns from flush by its deadline when the peer never answers", async () => {
        const built = await buildStalled();
        let released = 0;
        void built.action.send(event(0), () => released++);
        if (built.subject.seen) await waitFor(() => built.subject.seen!() > 0, "the event to reach the peer");
        const started = Date.now();
        await built.action.flush(300);
        expect(Date.now() - started).toBeLessThan(300 + SLACK_MS);
        expect(released).toBe(0);
      });

      it("leaves an undelivered event unreleased when stopped", async () => {
        const built = await buildStalled();
        let released = 0;
        void built.action.send(event(0), () => released++);
        if (built.subject.seen) await waitFor(() => built.subject.seen!() > 0, "the event to reach the peer");
        await built.action.stop();
        await built.action.flush(100);
        expect(released).toBe(0); // its source reads it again after the restart
      });
    }
  });
}

function event(i: number): LogEvent {
  const time = Date.UTC(2026, 10, 21, 4, 15, 0) + i;
  const line = `line ${i} of the contract`;
  return {
    kind: "match",
    rule: "r",
    source: "app",
    time,
    records: [{ source: "app", line, time, fields: { n: i }, file: "/var/log/app.log", offset: i * 100 }],
    match: "contract",
    fields: { n: i },
    count: 1,
    suppressed: 0,
  };
}
