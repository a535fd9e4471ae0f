import { describe, expect, it } from "vitest";
import { parsePattern } from "../../core/pattern.js";
import type { RawLine } from "./lines.js";
import { Multiline } from "./multiline.js";

function lines(...texts: string[]): RawLine[] {
  let offset = 0;
  return texts.map((text) => {
    const line = { offset, text, bytes: Buffer.byteLength(text), cut: 0 };
    offset += line.bytes + 1;
    return line;
  });
}

describe("Multiline", () => {
  it("joins continuation lines to the event they follow", () => {
    const m = new Multiline(parsePattern("/^\\d{4}-/"), 1 << 20);
    const out = m.push(lines("2026-01-01 boom", "  at a()", "  at b()", "2026-01-01 next"));
    expect(out).toEqual([{ offset: 0, text: "2026-01-01 boom\n  at a()\n  at b()", bytes: 33, cut: 0 }]);
    expect(m.pendingOffset).toBe(34);
    expect(m.flush()?.text).toBe("2026-01-01 next");
    expect(m.pendingOffset).toBeUndefined();
  });

  it("starts a new event instead of growing past the size limit", () => {
    const m = new Multiline(parsePattern("START"), 10);
    const out = m.push(lines("START", "aaaa", "bbbb"));
    expect(out.map((e) => e.text)).toEqual(["START\naaaa"]);
    expect(m.flush()?.text).toBe("bbbb");
  });
});
