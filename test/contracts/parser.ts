// The contract every parser kind keeps, as one suite run against each implementation (Hono's runTest style).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Parser, ParserKind } from "../../src/core/component.js";
import { silentLogger } from "../../src/core/logger.js";
import type { LogRecord } from "../../src/core/record.js";

export interface ParserContract {
  kind: ParserKind;
  /** Lines in the format, each with a field it must fill (name and value). */
  good: { line: string; field: string; value: unknown }[];
  /** Build a valid line whose `field` is the given text (for huge and invalid-UTF-8 lines). */
  withText(text: string): { line: string; field: string };
  /** Lines that are not in the format at all. */
  garbage: string[];
}

/** Bytes no UTF-8 decoder accepts (a lone continuation, an overlong NUL, a cut 4-byte sequence), as a source decodes them. */
const INVALID_UTF8 = Buffer.from([0x61, 0x80, 0x62, 0xc0, 0x80, 0x63, 0xf0, 0x9f, 0x98]).toString("utf8");
const TIME = Date.UTC(2020, 0, 1);

export function record(line: string): LogRecord {
  return { source: "app", line, time: TIME, fields: {} };
}

export function runParserContract({ kind, good, withText, garbage }: ParserContract): void {
  describe(`parser contract: ${kind.type}`, () => {
    const fresh = (): Parser => kind.create(kind.schema.parse({}), { logger: silentLogger });

    it("parses known-good lines into their fields", () => {
      for (const sample of good) {
        const r = record(sample.line);
        expect(fresh().parse(r), sample.line).toBe(true);
        expect(r.fields[sample.field], sample.line).toEqual(sample.value);
      }
    });

    it("rejects garbage with false, never by throwing", () => {
      for (const line of garbage) expect(fresh().parse(record(line)), JSON.stringify(line)).toBe(false);
    });

    it("answers true or false for any text whatever, without throwing", () => {
      const parser = fresh();
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 300 }), (line) => {
          expect(typeof parser.parse(record(line))).toBe("boolean");
        }),
        { seed: 20, numRuns: 2000 },
      );
    });

    it("parses a 1 MiB line in well under a second, and rejects a 1 MiB garbage line as fast", () => {
      const huge = "x".repeat(1024 * 1024);
      const { line, field } = withText(huge);
      const started = performance.now();
      const r = record(line);
      expect(fresh().parse(r)).toBe(true);
      expect(String(r.fields[field])).toContain(huge.slice(0, 1000));
      expect(fresh().parse(record(`\u0001${huge}`))).toBe(false);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it("keeps invalid UTF-8 (decoded to U+FFFD) and lone surrogates as text in the fields", () => {
      for (const text of [INVALID_UTF8, "a\ud800b", "\udfff"]) {
        const { line, field } = withText(text);
        const r = record(line);
        expect(fresh().parse(r), JSON.stringify(line)).toBe(true);
        expect(String(r.fields[field])).toContain(text.replace(/[\ud800-\udfff]/g, "")[0] ?? "");
      }
    });

    it("adds no fields for a rejected line, even one that breaks off late", () => {
      const cut = good.flatMap(({ line }) => [
        line.slice(0, -1),
        line.slice(0, Math.floor(line.length * 0.8)),
        `${line}\u0001"`,
      ]);
      for (const line of [...garbage, ...cut]) {
        const r = record(line);
        if (!fresh().parse(r)) expect(r.fields, JSON.stringify(line)).toEqual({});
      }
    });

    it("sets only fields it declares, when it declares them (check's group_by hint relies on that)", () => {
      const declared = kind.fieldsOf?.(kind.schema.parse({}));
      const lines = [...good.map((g) => g.line), withText("x").line];
      for (const line of lines) {
        const r = record(line);
        fresh().parse(r);
        const undeclared = Object.keys(r.fields).filter((name) => declared && !declared.includes(name));
        expect(undeclared, line).toEqual([]);
      }
    });

    it("leaves the record's time alone when the line has none or is rejected", () => {
      const r = record(garbage[0] ?? "");
      fresh().parse(r);
      expect(r.time).toBe(TIME);
    });
  });
}
