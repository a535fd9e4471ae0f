// scanBytes against scan: every format gives the same outcome and hit on a line's UTF-8 bytes as on its decoded text.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { anyValidLine, lineBytes } from "../stats/testing/lines.js";
import { HIT, newHit } from "./access.js";
import { ACCESS_FORMATS, createAccessFormat } from "./formats.js";

describe("scanBytes", () => {
  it.each(ACCESS_FORMATS)(
    "%s: same outcome and hit as scan on the decoded line, inside a larger buffer (property)",
    (name) => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(lineBytes(anyValidLine), fc.constantFrom("\n", "\r\n", "")), { maxLength: 30 }),
          (lines) => {
            const onText = createAccessFormat(name);
            const onBytes = createAccessFormat(name);
            const buf = Buffer.concat(lines.flatMap(([line, ending]) => [line, Buffer.from(ending)]));
            let start = 0;
            for (const [line, ending] of lines) {
              const text = line.toString("utf8");
              const textHit = newHit();
              const byteHit = newHit();
              const outcome = onText.scan(text, 0, text.length, textHit);
              expect(onBytes.scanBytes(buf, start, start + line.length, byteHit)).toBe(outcome);
              if (outcome === HIT) expect(byteHit.values()).toEqual(textHit.values());
              start += line.length + ending.length;
            }
            expect(onBytes.name).toBe(onText.name);
          },
        ),
        { numRuns: 600 },
      );
    },
  );
});
