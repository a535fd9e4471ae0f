import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SpaceSaving } from "./topk.js";
import { ReferenceSpaceSaving } from "./testing/topk-reference.js";

describe("SpaceSaving", () => {
  it("counts exactly while under capacity", () => {
    const top = new SpaceSaving(10);
    for (const key of ["a", "b", "a", "c", "a", "b"]) top.add(key);
    expect(top.top(2)).toEqual([
      { name: "a", hits: 3 },
      { name: "b", hits: 2 },
    ]);
    expect(top.approximate).toBe(false);
  });

  it("counts a range of a larger text as its own key", () => {
    const top = new SpaceSaving(10);
    const text = "GET /api/x 10.0.0.1 /api";
    top.add(text, 4, 8);
    top.add(text, 20, 24);
    top.add(text, 11, 19);
    expect(top.top(5)).toEqual([
      { name: "/api", hits: 2 },
      { name: "10.0.0.1", hits: 1 },
    ]);
  });

  it("counts ASCII bytes and the same text as one key, and other bytes as the text they decode to", () => {
    const top = new SpaceSaving(10);
    const bytes = Buffer.from("x 10.0.0.1 h\u00e9 h\u00e9");
    top.add("10.0.0.1");
    top.addBytes(bytes, 2, 10);
    top.addBytes(bytes, 11, 14);
    top.add("h\u00e9");
    top.addBytes(Buffer.from([0x61, 0xff]), 0, 2);
    expect(top.top(5)).toEqual([
      { name: "10.0.0.1", hits: 2 },
      { name: "h\u00e9", hits: 2 },
      { name: "a\ufffd", hits: 1 },
    ]);
  });

  it("keeps the heavy hitters of a long tail in fixed memory", () => {
    const top = new SpaceSaving(50);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 200_000; i++) {
      top.add(random() < 0.3 ? `heavy-${i % 3}` : `tail-${Math.floor(random() * 1e9)}`);
    }
    expect(top.size).toBe(50);
    expect(top.approximate).toBe(true);
    const names = top
      .top(3)
      .map((e) => e.name)
      .sort();
    expect(names).toEqual(["heavy-0", "heavy-1", "heavy-2"]);
    for (const entry of top.top(3)) expect(entry.hits).toBeGreaterThanOrEqual(20_000); // never under-estimated
  });

  it("makes long names and names with any UTF-16 code units as they were counted", () => {
    const top = new SpaceSaving(4);
    const long = `/${"x".repeat(10_000)}`;
    const odd = "a\ud800b\u0000\uffff";
    top.add(long);
    top.add(odd);
    top.add(odd);
    expect(top.top(2)).toEqual([
      { name: odd, hits: 2 },
      { name: long, hits: 1 },
    ]);
  });

  it("top(n) selects what sorting every counter would (property)", () => {
    const key = fc.constantFrom("a", "b", "B", "ab", "/api", "/", "10.0.0.1", "10.0.0.10", "z", "é", "");
    fc.assert(
      fc.property(
        fc.array(key, { maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (keys, capacity, n) => {
          const top = new SpaceSaving(capacity);
          for (const k of keys) top.add(k);
          const all = top.top(capacity + 1);
          const sorted = [...all].sort((a, b) => b.hits - a.hits || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          expect(all).toEqual(sorted);
          expect(top.top(n)).toEqual(sorted.slice(0, n));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** Keys cut out of a text with other characters around them, as scanners hand them over. */
const framedKey = (key: fc.Arbitrary<string>) =>
  fc.tuple(fc.string({ maxLength: 3 }), key, fc.string({ maxLength: 3 }));

/** Feed the same keys to both, clearing (new) or replacing (reference) at each round's end; compare every round. */
function compareRounds(rounds: [string, string, string][][], capacity: number): void {
  const fast = new SpaceSaving(capacity);
  for (const round of rounds) {
    const plain = new ReferenceSpaceSaving(capacity);
    for (const [before, key, after] of round) {
      const text = before + key + after;
      fast.add(text, before.length, before.length + key.length);
      plain.add(key);
    }
    expect(fast.size).toBe(plain.size);
    expect(fast.approximate).toBe(plain.approximate);
    expect(fast.top(capacity + 1)).toEqual(plain.top(capacity + 1));
    expect(fast.top(3)).toEqual(plain.top(3));
    fast.clear();
  }
}

describe("SpaceSaving against the string-keyed version (property)", () => {
  it("same counters, evictions and order with few distinct keys and a small capacity", () => {
    const key = fc.constantFrom(
      "a",
      "b",
      "B",
      "ab",
      "/api",
      "/",
      "10.0.0.1",
      "10.0.0.10",
      "z",
      "é",
      "",
      "\ud83d",
      "a\u0000",
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(framedKey(key), { maxLength: 150 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (rounds, capacity) => compareRounds(rounds, capacity),
      ),
      { numRuns: 1500 },
    );
  });

  it("same results when the table grows, keys are replaced many times and long keys fill the arena", () => {
    const key = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }).map((i) => `10.0.${i >> 4}.${i & 15}`) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 0, max: 20 }).map((i) => `/${String.fromCharCode(97 + i).repeat(300 + i * 40)}`),
      },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(framedKey(key), { maxLength: 1500 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 300 }),
        (rounds, capacity) => compareRounds(rounds, capacity),
      ),
      { numRuns: 150 },
    );
  });
});
