import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { KeyTable } from "./keytable.js";

/** A few hash values only, at the end and the start of any table, so probe runs are long and wrap around. */
const crowdedHash = (key: string): number => ((key.length * 7 + (key.charCodeAt(0) || 0)) % 5) - 3;

describe("KeyTable", () => {
  it("finds, replaces and names keys like a Map, even when hashes collide (property)", () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("10.0.0.1", "/api", "", "x".repeat(700)));
    const op = fc.tuple(fc.constantFrom("add", "add", "replace", "reset"), key, fc.nat());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops, realHash) => {
        const hash = (k: string) => (realHash ? KeyTable.hash(k, 0, k.length) : crowdedHash(k));
        let slots = 8;
        const table = new KeyTable(slots);
        let model: string[] = [];
        for (const [kind, k, pick] of ops) {
          const found = table.find(k, 0, k.length, hash(k));
          expect(found).toBe(model.indexOf(k));
          if (kind === "reset") {
            table.reset(slots);
            model = [];
          } else if (found < 0 && (kind === "add" || model.length === 0)) {
            if (model.length === slots) table.grow((slots *= 2));
            table.insert(model.length, k, 0, k.length, hash(k));
            model.push(k);
          } else if (found < 0) {
            const slot = pick % model.length;
            table.replace(slot, k, 0, k.length, hash(k));
            model[slot] = k;
          }
        }
        model.forEach((k, slot) => {
          expect(table.find(k, 0, k.length, hash(k))).toBe(slot);
          expect(table.name(slot)).toBe(k);
        });
        for (let a = 0; a < model.length; a++) {
          for (let b = 0; b < model.length; b++) {
            const [ka, kb] = [model[a] as string, model[b] as string];
            expect(Math.sign(table.compare(a, b))).toBe(ka < kb ? -1 : ka > kb ? 1 : 0);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("hashes a range the same as the same characters on their own", () => {
    expect(KeyTable.hash("xx/apiyy", 2, 6)).toBe(KeyTable.hash("/api", 0, 4));
    expect(KeyTable.hash("/api", 0, 4)).not.toBe(KeyTable.hash("/apj", 0, 4));
  });
});
