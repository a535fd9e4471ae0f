// Property test: group_by, thresholds, cooldown, max_groups and absence fire exactly what a naive reference model
// fires, over random interleavings of keyed lines and clock advances (seeded, reproducible).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import type { LogEvent } from "../core/event.js";
import type { LogRecord } from "../core/record.js";
import { compileRules, type Firing } from "./engine.js";
import { T0, rule } from "./testing/records.js";

interface RuleSpec {
  grouped: boolean;
  threshold: { count: number; within: number } | undefined;
  cooldown: number;
  absent: number | undefined;
  maxGroups: number;
}

type Step = { line: true; key: number | undefined; hit: boolean; dt: number } | { line: false; advance: number };

/** What both sides report of a firing. */
interface Seen {
  kind: string;
  state: string | undefined;
  key: string;
  time: number;
  count: number;
  suppressed: number;
  lines: string[];
}

function seen(event: LogEvent): Seen {
  return {
    kind: event.kind,
    state: event.state,
    key: String(event.fields.ip ?? ""),
    time: event.time,
    count: event.count,
    suppressed: event.suppressed,
    lines: event.records.map((r) => r.line),
  };
}

interface KeyState {
  key: string;
  times: { t: number; line: string }[];
  last: number | undefined;
  swallowed: number;
  lastSeen: number;
  silent: boolean;
}

/** The reference: arrays and plain loops, one step at a time. */
class Model {
  /** Keys, least recently seen first. */
  private keys: KeyState[] = [];
  private anchor: number;
  private wallAt: number;
  private fromLog = false;
  readonly out: Seen[] = [];

  constructor(
    private readonly spec: RuleSpec,
    private clock: number,
  ) {
    this.anchor = this.wallAt = clock;
    if (!spec.grouped) this.keys.push(this.fresh("", clock));
  }

  private fresh(key: string, lastSeen: number): KeyState {
    return { key, times: [], last: undefined, swallowed: 0, lastSeen, silent: false };
  }

  private now(): number {
    return this.anchor + (this.clock - this.wallAt);
  }

  /** A matching line from address `ip` (none: the field is missing). */
  line(ip: string | undefined, t: number, line: string): void {
    if (this.spec.grouped && ip === undefined) return;
    const name = this.spec.grouped ? (ip as string) : "";
    const shown = ip ?? "";
    let state = this.keys.find((k) => k.key === name);
    const isNew = !state;
    if (state) this.keys = this.keys.filter((k) => k !== state);
    else if (this.keys.length >= this.spec.maxGroups) this.keys.shift();
    state ??= this.fresh(name, 0);
    this.keys.push(state);
    if (this.spec.absent !== undefined) return this.absentLine(state, isNew, t, line, shown);
    const { threshold, cooldown } = this.spec;
    let fired = [{ t, line }];
    if (threshold) {
      state.times = state.times.filter((x) => x.t >= t - threshold.within).concat([{ t, line }]);
      if (state.times.length < threshold.count) return;
      fired = state.times;
      state.times = [];
    }
    if (cooldown > 0 && state.last !== undefined && t - state.last < cooldown) {
      state.swallowed += fired.length;
      return;
    }
    const kind = threshold ? "threshold" : "match";
    const lines = fired.map((x) => x.line);
    this.out.push({
      kind,
      state: undefined,
      key: shown,
      time: t,
      count: fired.length,
      suppressed: state.swallowed,
      lines,
    });
    state.swallowed = 0;
    state.last = t;
  }

  private absentLine(state: KeyState, isNew: boolean, t: number, line: string, shown: string): void {
    if (!this.fromLog || t > this.now()) {
      this.fromLog = true;
      this.anchor = t;
      this.wallAt = this.clock;
    }
    const at = this.now();
    this.fireDue(at, isNew ? state : undefined);
    if (state.silent)
      this.out.push({
        kind: "absence",
        state: "recovered",
        key: shown,
        time: t,
        count: 1,
        suppressed: 0,
        lines: [line],
      });
    state.silent = false;
    state.lastSeen = at;
  }

  /** Every watched key silent for `absent` by absence time `at`, in the order they were last seen. */
  private fireDue(at: number, skip?: KeyState): void {
    const absent = this.spec.absent as number;
    const watched = this.keys.filter((k) => !k.silent && k !== skip).sort((a, b) => a.lastSeen - b.lastSeen);
    for (const k of watched) {
      if (k.lastSeen + absent > at) break;
      k.silent = true;
      this.out.push({
        kind: "absence",
        state: "firing",
        key: k.key,
        time: k.lastSeen + absent,
        count: 0,
        suppressed: 0,
        lines: [],
      });
    }
  }

  advance(ms: number): void {
    const absent = this.spec.absent;
    const target = this.clock + ms;
    while (absent !== undefined) {
      const next = Math.min(...this.keys.filter((k) => !k.silent).map((k) => k.lastSeen + absent));
      const wall = this.clock + Math.max(0, next - this.now());
      if (!Number.isFinite(next) || wall > target) break;
      this.clock = wall;
      this.fireDue(this.now());
    }
    this.clock = target;
  }
}

const specArb: fc.Arbitrary<RuleSpec> = fc
  .record({
    grouped: fc.boolean(),
    threshold: fc.option(
      fc.record({ count: fc.integer({ min: 1, max: 3 }), within: fc.integer({ min: 0, max: 30_000 }) }),
      {
        nil: undefined,
        freq: 2,
      },
    ),
    cooldown: fc.constantFrom(0, 5_000, 20_000),
    absent: fc.option(fc.integer({ min: 1_000, max: 30_000 }), { nil: undefined, freq: 2 }),
    maxGroups: fc.integer({ min: 1, max: 4 }),
  })
  .map((s) => (s.absent !== undefined ? { ...s, threshold: undefined, cooldown: 0 } : s));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      line: fc.constant(true as const),
      key: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 8 }),
      hit: fc.boolean(),
      dt: fc.oneof(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 0, max: 40_000 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ line: fc.constant(false as const), advance: fc.integer({ min: 0, max: 40_000 }) }),
  },
);

function runBoth(spec: RuleSpec, start: number, steps: Step[]): { got: Seen[]; want: Seen[] } {
  const clock = new FakeClock(T0);
  const got: Seen[] = [];
  const config = rule({
    match: "fail",
    ...(spec.grouped ? { group_by: "ip", max_groups: spec.maxGroups } : {}),
    ...(spec.threshold ? { threshold: { count: spec.threshold.count, within: `${spec.threshold.within}ms` } } : {}),
    cooldown: `${spec.cooldown}ms`,
    ...(spec.absent !== undefined ? { absent: `${spec.absent}ms` } : {}),
  });
  const engine = compileRules({ r: config }, clock, {
    onTimerFirings: (firings: Firing[]) => got.push(...firings.map((f) => seen(f.event))),
  });
  const model = new Model(spec, T0);
  let time = T0 + start;
  let n = 0;
  for (const step of steps) {
    if (!step.line) {
      clock.advance(step.advance);
      model.advance(step.advance);
      continue;
    }
    time += step.dt;
    const line = `${step.hit ? "fail" : "ok"} #${n++}`;
    const fields: LogRecord["fields"] = step.key === undefined ? {} : { ip: `10.0.0.${step.key}` };
    const record: LogRecord = { source: "app", line, time, fields };
    got.push(...engine.evaluate([record]).map((f) => seen(f.event)));
    if (step.hit) model.line(step.key === undefined ? undefined : `10.0.0.${step.key}`, time, line);
  }
  engine.stop();
  return { got, want: model.out };
}

describe("keyed rules against a reference model", () => {
  it("fire exactly what the model fires, in the same order", () => {
    fc.assert(
      fc.property(
        specArb,
        fc.integer({ min: -60_000, max: 60_000 }),
        fc.array(stepArb, { maxLength: 60 }),
        (spec, start, steps) => {
          const { got, want } = runBoth(spec, start, steps);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 600, seed: 18 },
    );
  });

  it("the model is not vacuous: the generated runs produce every kind of firing", () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(specArb, fc.array(stepArb, { maxLength: 60 }), (spec, steps) => {
        for (const s of runBoth(spec, 0, steps).want) kinds.add(`${s.kind}/${s.state ?? ""}/${s.suppressed > 0}`);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect([...kinds].sort()).toEqual(
      [
        "absence/firing/false",
        "absence/recovered/false",
        "match//false",
        "match//true",
        "threshold//false",
        "threshold//true",
      ].sort(),
    );
  });
});
