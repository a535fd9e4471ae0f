// PendingBytes against Buffer.from of the joined text: the same bytes for any text, across blocks and takes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchEvent } from "../exec/testing/helpers.js";
import { wireJson } from "../../core/wire.js";
import { PendingBytes } from "./pending.js";

/** Texts that cross block edges: ASCII, 2-, 3- and 4-byte characters, lone surrogates, up to past a block. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 4000, maxLength: 9000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300_000, max: 1_200_000 }).map((n) => "é".repeat(n)) },
);
const step = fc.oneof({ weight: 8, arbitrary: text }, { weight: 1, arbitrary: fc.constant(undefined) });

describe("PendingBytes", () => {
  it("takes out exactly the UTF-8 of what was added since the last take, in order", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const pending = new PendingBytes();
        let added: string[] = [];
        const check = () => {
          const expected = Buffer.from(added.join(""));
          expect(pending.bytes).toBe(expected.length);
          expect(pending.take().equals(expected)).toBe(true);
          expect(pending.bytes).toBe(0);
          pending.reuse(); // the write is done: the block may be filled again
          added = [];
        };
        for (const s of steps) {
          if (s === undefined) check();
          else {
            pending.add(s);
            added.push(s);
          }
        }
        check();
      }),
      { seed: 16, numRuns: 150, endOnFailure: true }, // shrinking megabyte texts takes minutes
    );
  });

  it("never writes into a buffer it handed out until told its write is done", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(text, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 6 }),
        (bursts) => {
          const pending = new PendingBytes();
          const taken = bursts.map((burst) => {
            for (const s of burst) pending.add(s);
            return pending.take(); // still being written: no reuse()
          });
          bursts.forEach((burst, i) => expect(taken[i]?.equals(Buffer.from(burst.join("")))).toBe(true));
        },
      ),
      { seed: 16, numRuns: 60, endOnFailure: true },
    );
  });

  it("takes out the bytes of wireJson for events encoded straight into its blocks, mixed with texts", () => {
    // Events of long and short lines (some non-ASCII), alerts without records, and texts, across blocks and takes.
    const line = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.integer({ min: 1, max: 70_000 }).map((n) => `"${"q".repeat(n)}\\`),
    );
    const event = fc.oneof(
      fc.array(line, { minLength: 1, maxLength: 3 }).map((lines) => matchEvent(lines)),
      fc.constant({ ...matchEvent([]), kind: "alert" as const, message: "hits = 5", data: { hits: 5 } }),
    );
    const item = fc.oneof({ weight: 6, arbitrary: event }, { weight: 2, arbitrary: text }, fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (items) => {
        const pending = new PendingBytes();
        let added = "";
        const check = () => {
          expect(pending.take().equals(Buffer.from(added))).toBe(true);
          pending.reuse();
          added = "";
        };
        for (const it of items) {
          if (it === undefined) check();
          else if (typeof it === "string") {
            pending.add(it);
            added += it;
          } else {
            pending.addEvent(it);
            added += wireJson(it);
          }
        }
        check();
      }),
      { seed: 16, numRuns: 100, endOnFailure: true },
    );
  });

  it("fills a burst like the last one in one block freed by an earlier write, never the one being written", () => {
    const pending = new PendingBytes();
    const burst = (n: number) => {
      const parts = Array.from({ length: n }, (_, i) => `${"x".repeat(100)} ${i}\n`);
      for (const p of parts) pending.add(p);
      return Buffer.from(parts.join(""));
    };
    let expected = burst(3000); // about 300 KB: more than the first block, joined once
    const first = pending.take();
    expect(first.equals(expected)).toBe(true);
    pending.reuse();
    expected = burst(3000); // now one block sized for it
    const second = pending.take();
    expect(second.equals(expected)).toBe(true);
    expected = burst(3000); // while `second` is being written: another block
    const third = pending.take();
    expect(third.buffer).not.toBe(second.buffer);
    expect(third.equals(expected)).toBe(true);
    pending.reuse();
    expected = burst(2000);
    const fourth = pending.take();
    expect([second.buffer, third.buffer]).toContain(fourth.buffer); // reused, nothing allocated
    expect(fourth.equals(expected)).toBe(true);
  });

  it("gives an empty buffer when nothing was added", () => {
    expect(new PendingBytes().take().length).toBe(0);
  });
});
