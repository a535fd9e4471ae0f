// Unit tests of RFC 6587 framing: octet counting, newlines, detection, oversize and broken frames, any chunking.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SyslogFramer, type Framing } from "./framing.js";

function frames(
  framing: Framing,
  input: string | Buffer,
  max = 1024,
  chunk = Infinity,
): { text: string; truncated: boolean; badFrame: boolean }[] {
  const framer = new SyslogFramer(framing, max);
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const out = [];
  for (let i = 0; i < bytes.length; i += Math.min(chunk, bytes.length))
    out.push(...framer.push(bytes.subarray(i, i + chunk)));
  out.push(...framer.end());
  return out.map((f) => ({ text: f.data.toString(), truncated: f.truncated, badFrame: f.badFrame }));
}

const texts = (list: { text: string }[]) => list.map((f) => f.text);

describe("SyslogFramer", () => {
  it("cuts octet-counted messages, including ones with newlines inside", () => {
    expect(texts(frames("octet", "5 <13>a6 <13>b\n3 xyz"))).toEqual(["<13>a", "<13>b\n", "xyz"]);
  });

  it("cuts newline-terminated messages, dropping CR and empty lines", () => {
    expect(texts(frames("newline", "<13>a\r\n\n<13>b\n<13>last without newline"))).toEqual([
      "<13>a",
      "<13>b",
      "<13>last without newline",
    ]);
  });

  it("auto-detects the framing from the first byte of the connection", () => {
    expect(texts(frames("auto", "4 abcd4 efgh"))).toEqual(["abcd", "efgh"]);
    expect(texts(frames("auto", "<13>x\n<13>y\n"))).toEqual(["<13>x", "<13>y"]);
  });

  it("cuts an oversized counted message at max and skips the rest of it exactly", () => {
    const out = frames("octet", `20 ${"a".repeat(20)}3 end`, 8, 3);
    expect(out).toEqual([
      { text: "aaaaaaaa", truncated: true, badFrame: false },
      { text: "end", truncated: false, badFrame: false },
    ]);
  });

  it("cuts an oversized line at max and skips up to its newline", () => {
    const out = frames("newline", `${"b".repeat(50)}\nnext\n`, 10, 7);
    expect(out).toEqual([
      { text: "bbbbbbbbbb", truncated: true, badFrame: false },
      { text: "next", truncated: false, badFrame: false },
    ]);
  });

  it("turns a bad octet count into one bad frame up to the newline and resumes counting", () => {
    const out = frames("octet", "garbage here\n3 abc");
    expect(out).toEqual([
      { text: "garbage here", truncated: false, badFrame: true },
      { text: "abc", truncated: false, badFrame: false },
    ]);
  });

  it("keeps a counted message cut short by the end of the connection, marked truncated", () => {
    expect(frames("octet", "10 abc")).toEqual([{ text: "abc", truncated: true, badFrame: false }]);
  });

  it("gives the same messages however the stream is chunked", () => {
    const message = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes("\n"));
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 50 }),
        (messages, chunk) => {
          const counted = Buffer.concat(messages.map((m) => Buffer.from(`${Buffer.byteLength(m)} ${m}`)));
          expect(texts(frames("auto", counted, 4096, chunk))).toEqual(messages);
          const lines = Buffer.from(messages.map((m) => `<1>${m}\n`).join(""));
          expect(texts(frames("newline", lines, 4096, chunk))).toEqual(
            messages.map((m) => `<1>${m}`.replace(/[\r\0]+$/, "")).filter((m) => m !== ""),
          );
        },
      ),
    );
  });
});
