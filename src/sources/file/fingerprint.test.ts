// Head checks: the remembered-bytes shortcut answers exactly as hashing does, and a file's head is read in place.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  HEAD_BYTES,
  hashBytes,
  headMatches,
  headOf,
  headStillAt,
  statGrowth,
  statHandle,
  type Head,
} from "./fingerprint.js";

/** What headMatches meant before the shortcut: a hash of the prefix. */
const hashed = (bytes: Buffer, head: Head) =>
  bytes.length >= head.len && hashBytes(bytes.subarray(0, head.len)) === head.hash;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("headMatches", () => {
  it("answers as hashing does, for heads made here, heads read back from a checkpoint, and repeated checks", () => {
    const bytes = fc.uint8Array({ maxLength: HEAD_BYTES + 20 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(bytes, fc.array(bytes, { maxLength: 6 }), fc.boolean(), (original, candidates, stored) => {
        const made = headOf(original);
        const head = stored ? { len: made.len, hash: made.hash } : made; // a copy: nothing remembered for it
        for (const candidate of [
          ...candidates,
          original,
          Buffer.concat([original, Buffer.from("more")]),
          ...candidates,
        ]) {
          expect(headMatches(candidate, head)).toBe(hashed(candidate, head));
        }
      }),
    );
  });

  it("is not fooled when the bytes a head was checked against are changed afterwards", () => {
    const bytes = Buffer.from("first line\nsecond line\n");
    const head = headOf(bytes);
    bytes.write("FIRST");
    expect(headMatches(bytes, head)).toBe(false);
    expect(headMatches(Buffer.from("first line\nsecond line\n"), head)).toBe(true);
  });
});

describe("headStillAt", () => {
  it("tells whether an open file still begins as its head says, as it grows and after it is rewritten", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-fingerprint-"));
    dirs.push(dir);
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "x".repeat(300));
    const head = headOf(fs.readFileSync(file));
    const fd = fs.openSync(file, "r");
    try {
      expect(headStillAt(fd, head)).toBe(true);
      fs.appendFileSync(file, "more\n");
      expect(headStillAt(fd, head)).toBe(true);
      fs.writeFileSync(file, "y".repeat(400)); // truncated and rewritten longer
      expect(headStillAt(fd, head)).toBe(false);
      fs.writeFileSync(file, "x".repeat(10)); // shorter than the head
      expect(headStillAt(fd, head)).toBe(false);
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe("statGrowth", () => {
  it("reports size, whole-millisecond mtime and links exactly as statHandle does, whatever the mtime", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-fingerprint-"));
    dirs.push(dir);
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "some bytes\n");
    const handle = await fs.promises.open(file, "r");
    try {
      // Nanosecond mtimes (touch; Node's utimes keeps microseconds), many a few ns below a millisecond boundary,
      // where seconds * 1000 + ns / 1e6 as a double rounds up to the next millisecond.
      const times = fc.tuple(
        fc.integer({ min: -2_000_000_000, max: 8_000_000_000 }),
        fc.oneof(
          fc.integer({ min: 0, max: 999_999_999 }),
          fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000 + 999_999 - (ms % 7)),
        ),
      );
      await fc.assert(
        fc.asyncProperty(times, async ([seconds, ns]) => {
          execFileSync("touch", ["-m", "-d", `@${seconds}.${String(ns).padStart(9, "0")}`, file]);
          const { size, mtimeMs, nlink } = await statHandle(handle);
          expect(statGrowth(handle.fd)).toEqual({ size, mtimeMs, nlink });
        }),
        { numRuns: 150 },
      );
    } finally {
      await handle.close();
    }
  });
});
