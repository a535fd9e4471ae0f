// The dispatcher's holds against a model: events reach each action in record order, and the prefix a batch reports
// finished never passes a record whose events are neither delivered nor refused, whatever actions do meanwhile.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Action, ActionKind } from "../core/component.js";
import { systemClock } from "../core/clock.js";
import { ACCEPTED, type LogEvent } from "../core/event.js";
import { silentLogger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { CountingAck, type LogRecord, type OrderedHolds, type Release } from "../core/record.js";
import { withStandardMetrics } from "../actions/standard.js";
import type { Firing, RuleEngine } from "../rules/engine.js";
import { Dispatcher } from "./dispatch.js";

/** What an action does with one event it is sent. */
type Reply = "take" | "wait" | "throw" | "reject";

interface Sent {
  event: LogEvent;
  release: Release;
}

/**
 * An action that keeps what it takes until the test delivers it: in the order taken when it says it releases in
 * order, else in any order the test picks. It refuses (throws, rejects) without keeping the event.
 */
class ModelAction implements Action {
  readonly kept: Sent[] = [];
  readonly received: LogEvent[] = [];
  readonly waits: (() => void)[] = [];
  constructor(
    readonly releasesInOrder: boolean,
    private readonly replies: () => Reply,
    private readonly onRefused: (event: LogEvent) => void,
  ) {}

  send(event: LogEvent, release: Release): Promise<void> {
    const reply = this.replies();
    if (reply === "throw" || reply === "reject") {
      this.onRefused(event);
      if (reply === "throw") throw new Error("refused at once");
      return Promise.reject(new Error("refused later"));
    }
    this.received.push(event);
    this.kept.push({ event, release });
    if (reply === "take") return ACCEPTED;
    return new Promise<void>((resolve) => this.waits.push(resolve));
  }

  flush = () => Promise.resolve();
  stop = () => Promise.resolve();
}

const plan = fc.record({
  // Per record: the actions (0: in order, 1: in order, 2: any order) its firings go to, one firing per entry.
  firings: fc.array(
    fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }), { maxLength: 3 }),
    {
      minLength: 1,
      maxLength: 700,
    },
  ),
  // Per record, whether its firing is a threshold's (its records end at it; the dispatcher cannot place it).
  thresholds: fc.option(fc.array(fc.boolean(), { maxLength: 700 }), { nil: undefined }),
  replies: fc.array(fc.constantFrom<Reply>("take", "take", "take", "take", "wait", "throw", "reject"), {
    minLength: 1,
    maxLength: 50,
  }),
  // Steps of the test's delivery: which action, how many of its kept events, and how many turns to let pass.
  steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 40 }), fc.nat(2)), {
    minLength: 1,
    maxLength: 60,
  }),
  seed: fc.nat(),
});

describe("dispatcher holds", () => {
  it("reports a finished prefix only past records whose every event is delivered or refused", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async ({ firings, thresholds, replies, steps, seed }) => {
        const records: LogRecord[] = firings.map((_, i) => ({ source: "s", line: `line ${i}`, time: i, fields: {} }));
        const triggerOf = new Map<LogEvent, number>();
        const byRecord = new Map<LogRecord, Firing[]>();
        firings.forEach((list, i) => {
          const record = records[i] as LogRecord;
          const threshold = thresholds?.[i] === true && i > 0;
          byRecord.set(
            record,
            list.map((actions, f) => {
              const event: LogEvent = {
                kind: threshold ? "threshold" : "match",
                rule: `r${f}`,
                source: "s",
                time: i,
                records: threshold ? [records[i - 1] as LogRecord, record] : [record],
                fields: {},
                count: 1,
                suppressed: 0,
              };
              triggerOf.set(event, i);
              return { rule: event.rule, actions: [...new Set(actions)].map((a) => `a${a}`), event };
            }),
          );
        });
        const engine = { evaluate: (slice: LogRecord[]) => slice.flatMap((r) => byRecord.get(r) ?? []) };
        let reply = seed;
        const nextReply = () => replies[reply++ % replies.length] as Reply;
        // Per record, its events neither delivered nor refused yet (unsent ones included).
        const open = records.map(() => 0);
        for (const [event, i] of triggerOf) open[i] = (open[i] as number) + sendsOf(event, byRecord);
        let ended = 0;
        const end = (event: LogEvent) => {
          const i = triggerOf.get(event) as number;
          open[i] = (open[i] as number) - 1;
          ended++;
        };
        const actions = [true, true, false].map((inOrder, i) => {
          const model = new ModelAction(inOrder, nextReply, end);
          return { model, wrapped: withMetrics(model, `a${i}`, new Metrics()) };
        });
        const dispatcher = new Dispatcher({
          engine: () => engine as unknown as RuleEngine,
          action: (name) => actions[Number(name.slice(1))]?.wrapped,
          taps: [],
          log: silentLogger,
        });
        const reports: number[] = [];
        let done = false;
        const ack = new CountingAck(
          () => (done = true),
          (n) => reports.push(n),
        );
        const lastHeld = open.reduce((held, n, i) => (n > 0 ? i : held), 0);
        let firstOpen = 0;
        const firstOpenIndex = () => {
          while (firstOpen < open.length && open[firstOpen] === 0) firstOpen++;
          return firstOpen;
        };
        const finishedBelow = (n: number) => firstOpenIndex() >= n;
        let dispatched = false;
        const dispatching = dispatcher.rules({ source: "s", records, ack }).then(() => (dispatched = true));
        for (let s = 0; !dispatched || actions.some((a) => a.model.kept.length > 0); s++) {
          if (s > 5000)
            throw new Error(
              `stuck: dispatched ${dispatched} kept ${actions.map((a) => a.model.kept.length)} ` +
                `waits ${actions.map((a) => a.model.waits.length)}`,
            );
          const [which, count, turns] = steps[s % steps.length] as [number, number, number];
          // The named action, or the next one that keeps something: every kept event is delivered in the end.
          const model = [0, 1, 2]
            .map((k) => (actions[(which + k) % 3] as (typeof actions)[number]).model)
            .find((m) => m.kept.length > 0);
          for (let k = 0; model && k < count && model.kept.length > 0; k++) {
            // In order when it says so, else from anywhere in what it keeps.
            const at = model.releasesInOrder ? 0 : (seed + s + k) % model.kept.length;
            const [sent] = model.kept.splice(at, 1) as [Sent];
            end(sent.event);
            sent.release();
          }
          for (const a of actions) a.model.waits.splice(0).forEach((resolve) => resolve());
          for (let t = 0; t <= turns; t++) await new Promise((resolve) => setImmediate(resolve));
          const last = reports[reports.length - 1];
          if (last !== undefined) expect(finishedBelow(last)).toBe(true);
          // Without thresholds every hold is at its event's record: once all is sent, the report is the first record
          // with an open event (or the last record held), as soon as a turn has passed.
          if (dispatched && !thresholds) expect(last ?? 0).toBe(Math.min(firstOpenIndex(), lastHeld));
        }
        await dispatching;
        expect(done).toBe(false); // the initial hold is the source's
        ack.releaseInitial();
        expect(done).toBe(true);
        expect(reports).toEqual([...reports].sort((a, b) => a - b));
        for (const { model } of actions) {
          // Each action got its events in record order (firings of a record in their order).
          const order = model.received.map((e) => triggerOf.get(e) as number);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
        // Every event sent was either refused or delivered, each exactly once.
        expect(open.every((n) => n === 0)).toBe(true);
        expect(ended).toBe(countSends(byRecord));
      }),
      { seed: 16, numRuns: 300 },
    );
  }, 60_000);

  it("counts each release once when an action's events share one release", async () => {
    const metrics = new Metrics();
    const model = new ModelAction(
      true,
      () => "take",
      () => {},
    );
    const action = withMetrics(model, "out", metrics);
    const acks = [
      new CountingAck(
        () => {},
        () => {},
      ),
      new CountingAck(
        () => {},
        () => {},
      ),
    ];
    const holds = acks.map((ack) => ack.ordered());
    const event = { kind: "match", rule: "r", source: "s", time: 0, records: [], fields: {}, count: 1, suppressed: 0 };
    // Three sends share one release, then another release for two, then the first again.
    for (const which of [0, 0, 0, 1, 1, 0])
      await action.send(event as LogEvent, (holds[which] as OrderedHolds).hold(0));
    for (const sent of model.kept.splice(0, 4)) sent.release();
    const text = await metrics.text();
    expect(text).toMatch(/logward_action_events_received_total\{action="out",type="model"\} 6/);
    expect(text).toMatch(/logward_action_events_released_total\{action="out",type="model"\} 4/);
  });
});

/** The action as the pipeline builds it: counted by withStandardMetrics. */
function withMetrics(model: ModelAction, name: string, metrics: Metrics): Action {
  const kind: ActionKind = { type: "model", schema: undefined as never, create: () => model };
  const context = { name, metrics, clock: systemClock, logger: silentLogger, stateDir: "" };
  return withStandardMetrics(kind).create({}, context);
}

/** How many actions the event's firing goes to. */
function sendsOf(event: LogEvent, byRecord: Map<LogRecord, Firing[]>): number {
  const record = event.records[event.records.length - 1] as LogRecord;
  return (byRecord.get(record) ?? []).find((f) => f.event === event)?.actions.length ?? 0;
}

function countSends(byRecord: Map<LogRecord, Firing[]>): number {
  let sends = 0;
  for (const list of byRecord.values()) for (const f of list) sends += f.actions.length;
  return sends;
}
