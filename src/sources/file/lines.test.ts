import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cutMarker, LineSplitter } from "./lines.js";

const b = (s: string | number[]): Buffer => (typeof s === "string" ? Buffer.from(s) : Buffer.from(s));

describe("LineSplitter", () => {
  it("splits lines, keeps offsets, holds the unfinished last line", () => {
    const s = new LineSplitter(1024, 100);
    expect(s.push(b("ab\ncd\nef"))).toEqual([
      { offset: 100, text: "ab", bytes: 2, cut: 0 },
      { offset: 103, text: "cd", bytes: 2, cut: 0 },
    ]);
    expect(s.committable).toBe(106);
    expect(s.pending).toBe(true);
    expect(s.push(b("g\n"))).toEqual([{ offset: 106, text: "efg", bytes: 3, cut: 0 }]);
    expect(s.committable).toBe(110);
    expect(s.pending).toBe(false);
  });

  it("strips \\r of CRLF, also when split across chunks, and keeps NUL and empty lines", () => {
    const s = new LineSplitter(1024);
    expect(s.push(b("a\r")).map((l) => l.text)).toEqual([]);
    expect(s.push(b("\n\nx\0y\r\n")).map((l) => l.text)).toEqual(["a", "", "x\0y"]);
  });

  it("decodes invalid UTF-8 as U+FFFD and keeps going", () => {
    const s = new LineSplitter(1024);
    const lines = s.push(b([0x61, 0xff, 0xfe, 0x62, 0x0a, 0x63, 0x0a]));
    expect(lines.map((l) => l.text)).toEqual(["a\uFFFD\uFFFDb", "c"]);
  });

  it("cuts a long line, marks it with the dropped byte count, and skips the rest until its newline", () => {
    const s = new LineSplitter(64);
    const long = "x".repeat(100);
    expect(s.push(b(long.slice(0, 70)))).toEqual([]);
    expect(s.committable).toBe(0);
    const lines = s.push(b(long.slice(70) + "\nnext\n"));
    expect(lines[0]).toEqual({ offset: 0, text: "x".repeat(64) + cutMarker(36), bytes: 100, cut: 36 });
    expect(lines[1]).toEqual({ offset: 101, text: "next", bytes: 4, cut: 0 });
  });

  it("cuts on a character boundary", () => {
    const s = new LineSplitter(64);
    const text = "a".repeat(63) + "é" + "b"; // é is 2 bytes: bytes 63-64
    const [line] = s.push(b(text + "\n"));
    expect(line?.text).toBe("a".repeat(63) + cutMarker(3));
  });

  it("flush() returns the unfinished line", () => {
    const s = new LineSplitter(1024, 5);
    s.push(b("a\nbc"));
    expect(s.flush()).toEqual({ offset: 7, text: "bc", bytes: 2, cut: 0 });
    expect(s.flush()).toBeUndefined();
    expect(s.committable).toBe(9);
  });

  it("gives the same lines whatever the chunking (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 10 }), (bytes, cuts) => {
        const whole = new LineSplitter(80);
        const expected = whole.push(Buffer.from(bytes));
        const split = new LineSplitter(80);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const got = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          got.push(...split.push(Buffer.from(bytes.slice(from, p))));
          from = p;
        }
        expect(got).toEqual(expected);
        expect(split.committable).toBe(whole.committable);
      }),
    );
  });
});
