import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ClfTimeCache, parseClfTime } from "./clf-time.js";

const stamp = fc
  .record({
    day: fc.constantFrom("20", "21", "31", "00"),
    month: fc.constantFrom("Nov", "Dec", "Foo"),
    hour: fc.constantFrom("04", "23", "24"),
    minute: fc.constantFrom("15", "16"),
    second: fc.constantFrom("00", "01", "02", "59", "60"),
    zone: fc.constantFrom("+0000", "-0700", "+0x00"),
  })
  .map((p) => `${p.day}/${p.month}/2026:${p.hour}:${p.minute}:${p.second} ${p.zone}`);

describe("ClfTimeCache", () => {
  it("gives what parseClfTime gives, whatever order timestamps come in (property)", () => {
    // Sometimes one character replaced, by a NUL or one that is not Latin-1 among others.
    const oddChar = fc.constantFrom("\u0000", "☃", "ÿ", "Ā", "x");
    const odd = fc.option(fc.tuple(fc.nat({ max: 25 }), oddChar), { freq: 4 });
    fc.assert(
      fc.property(fc.array(fc.tuple(stamp, fc.nat({ max: 5 }), odd), { maxLength: 60 }), (stamps) => {
        const cache = new ClfTimeCache();
        for (const [valid, pad, edit] of stamps) {
          const text = edit ? valid.slice(0, edit[0]) + edit[1] + valid.slice(edit[0] + 1) : valid;
          const line = `${"x".repeat(pad)}${text}]`;
          expect(cache.parse(line, pad)).toEqual(parseClfTime(line, pad));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("parseBytes gives what parse gives on the decoded text, both used on one cache in any order (property)", () => {
    // A few timestamps that differ from one another in one character, met again and again.
    const variant = fc.tuple(
      fc.nat({ max: 25 }),
      fc.constantFrom("0", "1", "2", "5", "7", "+", "-", " ", "\u0000", "ÿ", "☃"),
    );
    fc.assert(
      fc.property(
        stamp,
        fc.array(variant, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 3 }), fc.boolean()), { maxLength: 60 }),
        (base, variants, uses) => {
          const pool = [base, ...variants.map(([at, ch]) => base.slice(0, at) + ch + base.slice(at + 1))];
          const cache = new ClfTimeCache();
          for (const [which, pad, asBytes] of uses) {
            const line = `${"x".repeat(pad)}${pool[which % pool.length]}]`;
            const expected = parseClfTime(line, pad);
            if (!asBytes) {
              expect(cache.parse(line, pad)).toEqual(expected);
              continue;
            }
            expect(cache.parseBytes(Buffer.from(line), pad)).toBe(!Number.isNaN(expected));
            expect(cache.lastTime).toEqual(expected);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
