import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headOf } from "./fingerprint.js";
import { judgeFound, judgeOpen, type Known, needsHeadCheck } from "./verdict.js";

const known: Known = { key: "1:2", size: 100, readPos: 80, mtimeMs: 1000, detached: false };
const look = { size: 100, mtimeMs: 1000, nlink: 1 };

describe("judgeOpen", () => {
  it("tells each thing that can happen to an open file apart", () => {
    expect(judgeOpen(known, look)).toBe("unchanged");
    expect(judgeOpen(known, { ...look, size: 150, mtimeMs: 1001 })).toBe("grown");
    expect(judgeOpen(known, { ...look, size: 90 })).toBe("truncated"); // below what it held, above what we read
    expect(judgeOpen(known, { ...look, size: 10 })).toBe("truncated");
    expect(judgeOpen(known, { ...look, size: 150, headIntact: false })).toBe("truncated"); // truncated and refilled
    expect(judgeOpen(known, { ...look, atPath: "1:3" })).toBe("renamed");
    expect(judgeOpen(known, { ...look, atPath: null })).toBe("renamed"); // moved away, nothing there yet
    expect(judgeOpen(known, { ...look, atPath: null, nlink: 0 })).toBe("deleted");
    expect(judgeOpen(known, { ...look, atPath: "1:2", size: 120 })).toBe("grown");
    expect(judgeOpen({ ...known, detached: true }, { ...look, atPath: null, nlink: 0 })).toBe("unchanged");
  });

  it("never calls a file that shrank anything but truncated, nor one that kept its size grown", () => {
    const arb = fc.record({
      size: fc.nat(1000),
      readPos: fc.nat(1000),
      lookSize: fc.nat(1000),
      nlink: fc.nat(2),
      headIntact: fc.option(fc.boolean(), { nil: undefined }),
      atPath: fc.option(fc.constantFrom("1:2", "1:3", null), { nil: undefined }),
      detached: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const k: Known = {
          key: "1:2",
          size: a.size,
          readPos: Math.min(a.readPos, a.size),
          mtimeMs: 0,
          detached: a.detached,
        };
        const v = judgeOpen(k, {
          size: a.lookSize,
          mtimeMs: 0,
          nlink: a.nlink,
          headIntact: a.headIntact,
          atPath: a.atPath,
        });
        if (a.lookSize < a.size || a.headIntact === false) expect(v).toBe("truncated");
        if (v === "grown") expect(a.lookSize).toBeGreaterThan(a.size);
        if (v === "renamed" || v === "deleted") expect(a.detached || a.atPath === "1:2").toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("checks the first bytes only when size or time changed", () => {
    expect(needsHeadCheck(known, look)).toBe(false);
    expect(needsHeadCheck(known, { ...look, mtimeMs: 1001 })).toBe(true);
    expect(needsHeadCheck(known, { ...look, size: 101 })).toBe(true);
  });
});

describe("judgeFound", () => {
  const bytes = Buffer.from("2026-11-21 first line of the file\nsecond\n");
  const head = headOf(bytes);
  it("resumes a file that matches its checkpoint, and tells replaced files and grown copies apart", () => {
    expect(judgeFound(undefined, 10, bytes)).toBe("new");
    expect(judgeFound({ offset: 20, head, copy: false }, 40, bytes)).toBe("grown");
    expect(judgeFound({ offset: 40, head, copy: false }, 40, bytes)).toBe("unchanged");
    expect(judgeFound({ offset: 50, head, copy: false }, 40, bytes)).toBe("replaced"); // shorter than read
    expect(judgeFound({ offset: 20, head, copy: false }, 40, Buffer.from("other content"))).toBe("replaced");
    expect(judgeFound({ offset: 20, head: undefined, copy: false }, 40, bytes)).toBe("replaced");
    expect(judgeFound({ offset: 40, head, copy: true }, 40, bytes)).toBe("copied");
    expect(judgeFound({ offset: 30, head, copy: true }, 40, bytes)).toBe("copy-grew");
  });

  it("a short file that grew still matches the shorter head it was checkpointed with", () => {
    const short = headOf(bytes.subarray(0, 10));
    expect(judgeFound({ offset: 10, head: short, copy: false }, bytes.length, bytes)).toBe("grown");
  });
});
