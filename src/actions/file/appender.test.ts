// Appender: small bursts go through one synchronous write, large ones through the thread pool; both must append
// exactly the bytes given, in order, and follow the path when the file is moved away between bursts.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../exec/testing/helpers.js";
import { Appender, SYNC_WRITE_BYTES } from "./appender.js";

const appenders: Appender[] = [];
afterEach(async () => {
  await Promise.all(appenders.splice(0).map((a) => a.close()));
});

function appender(file: string, fsync = false): Appender {
  const a = new Appender(file, fsync);
  appenders.push(a);
  return a;
}

/** A burst of `size` bytes whose content says where it belongs (its index and position), so order mistakes show. */
const burst = (index: number, size: number) =>
  Buffer.from(Array.from({ length: size }, (_, i) => String.fromCharCode(65 + ((index * 7 + i) % 26))).join(""));

describe("Appender", () => {
  it("appends bursts on both sides of the synchronous-write limit exactly, in order", async () => {
    // Sizes straddle SYNC_WRITE_BYTES, so the synchronous and the thread-pool path alternate at random.
    const size = fc.oneof(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: SYNC_WRITE_BYTES - 2, max: SYNC_WRITE_BYTES + 2 }),
      fc.integer({ min: SYNC_WRITE_BYTES, max: 3 * SYNC_WRITE_BYTES }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(size, { minLength: 1, maxLength: 12 }), fc.boolean(), async (sizes, fsync) => {
        const file = path.join(tempDir(), "sub", "events.ndjson");
        const a = appender(file, fsync);
        const bursts = sizes.map((n, i) => burst(i, n));
        for (const b of bursts) await a.append(b);
        expect(fs.readFileSync(file).equals(Buffer.concat(bursts))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it("reopens the path when the file was renamed away, on either path", async () => {
    const dir = tempDir();
    const file = path.join(dir, "events.ndjson");
    const a = appender(file);
    const small = burst(1, 100);
    const large = burst(2, SYNC_WRITE_BYTES + 1);
    await a.append(small);
    fs.renameSync(file, `${file}.1`);
    await a.append(large);
    fs.renameSync(file, `${file}.2`);
    await a.append(small);
    expect(fs.readFileSync(`${file}.1`).equals(small)).toBe(true);
    expect(fs.readFileSync(`${file}.2`).equals(large)).toBe(true);
    expect(fs.readFileSync(file).equals(small)).toBe(true);
  });

  it("rejects when the path cannot be written, so the action retries", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "sub"), "a file where the folder should be");
    await expect(appender(path.join(dir, "sub", "events.ndjson")).append(burst(0, 10))).rejects.toThrow();
  });
});
