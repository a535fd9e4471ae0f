// Firings of real rules reaching two file actions and an action that keeps its events: both files hold exactly the
// wire form of each event as it was sent, and no write (nor the objects firings share) changed a kept event.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import type { LogEvent } from "../../core/event.js";
import { wireJson } from "../../core/wire.js";
import { compileRules } from "../../rules/engine.js";
import { T0, rec, rule } from "../../rules/testing/records.js";
import { actionContext, tempDir, trackedRelease } from "../exec/testing/helpers.js";
import { FileAction, fileAction, fileSchema } from "./index.js";

const actions: FileAction[] = [];
afterEach(async () => {
  await Promise.all(actions.splice(0).map((a) => a.stop()));
});

function fileActionAt(file: string): FileAction {
  const action = fileAction.create(fileSchema.parse({ path: file }), actionContext("archive")) as FileAction;
  actions.push(action);
  return action;
}

/** Text that exercises every path of the encoder: quotes, controls, lone surrogates, non-ASCII, long runs. */
const piece = fc.oneof(
  fc.constantFrom('"', "\\", "\u0000", "\n", "\u001f", "\ud800", "\udc00", "é", "🎉", "\u2028"),
  fc.constantFrom("GET", "user=bob", "user=eve"),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.integer({ min: 1, max: 20_000 }).map((n) => "x".repeat(n)),
);
const lineArb = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(" "));

describe("firings through two file actions and a keeper", () => {
  it("writes each event's wire form as sent to both files, and leaves every kept event as it was", async () => {
    const rules = {
      plain: rule({ match: "GET", actions: ["a", "b", "keep"] }),
      named: rule({ match: "/user=(?<user>\\w+)/", actions: ["a", "b", "keep"] }),
      keyed: rule({ match: "/user=(?<user>\\w+)/", group_by: "user", cooldown: "1s", actions: ["a", "b", "keep"] }),
      window: rule({ match: "x", threshold: { count: 2, within: "1m" }, actions: ["a", "b", "keep"] }),
    };
    const fired = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 30 }), async (lines) => {
        const dir = tempDir();
        const [a, b] = [fileActionAt(path.join(dir, "a.ndjson")), fileActionAt(path.join(dir, "b.ndjson"))];
        const engine = compileRules(rules, new FakeClock(T0));
        const records = lines.map((line, i) => rec(line, i * 100, "app", i % 3 === 0 ? { n: i, s: line } : {}));
        const kept: { event: LogEvent; copy: LogEvent }[] = [];
        let expected = "";
        const done: Promise<void>[] = [];
        for (const firing of engine.evaluate(records)) {
          fired.set(firing.rule, (fired.get(firing.rule) ?? 0) + 1);
          expected += wireJson(firing.event); // the string path, at the time of sending
          kept.push({ event: firing.event, copy: structuredClone(firing.event) });
          for (const action of [a, b]) {
            const tracked = trackedRelease();
            done.push(tracked.done);
            await action.send(firing.event, tracked.release);
          }
        }
        await Promise.all(done);
        for (const name of ["a.ndjson", "b.ndjson"]) {
          const file = path.join(dir, name);
          const written = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
          expect(written.equals(Buffer.from(expected))).toBe(true);
        }
        for (const { event, copy } of kept) expect(event).toEqual(copy);
      }),
      { seed: 16, numRuns: 40 },
    );
    // Not a vacuous pass: every rule kind fired, many times.
    for (const name of Object.keys(rules)) expect(fired.get(name) ?? 0).toBeGreaterThan(10);
  });
});
