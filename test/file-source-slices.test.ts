// A read handed over a slice at a time: a pipeline that stops taking batches between two slices of one read, then a
// crash, must find the checkpoint at the first line it did not take; the restart delivers exactly the rest.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { LogRecord } from "../src/core/record.js";
import { LineSplitter, type RawLine } from "../src/sources/file/lines.js";
import { Harness, waitFor } from "./file-source.helpers.js";

const NEEDLE = "ab";

/** Lines of any size: short ones with or without the needle, invalid UTF-8, CRLF, and some over a 256 KiB read. */
const lineArb = fc.oneof(
  { weight: 30, arbitrary: fc.string({ maxLength: 60 }).map((s) => Buffer.from(s.replace(/[\r\n]/g, " "))) },
  {
    weight: 10,
    arbitrary: fc.string({ maxLength: 40 }).map((s) => Buffer.from(`x ${NEEDLE} ${s}`.replace(/\n/g, ""))),
  },
  { weight: 4, arbitrary: fc.constantFrom(Buffer.from([0x61, 0x62, 0xff, 0xfe]), Buffer.from([0xc3, 0x61, 0x62])) },
  { weight: 3, arbitrary: fc.constant(Buffer.from("crlf ab\r")) },
);

/** A few lines over a 256 KiB read, with the needle or without. */
const hugeArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 200_000, max: 700_000 }), fc.boolean()), {
  maxLength: 3,
});

const caseArb = fc.record({
  lines: fc.array(lineArb, { minLength: 200, maxLength: 3000 }),
  huge: hugeArb,
  /** A last line that makes the file longer than one 1 MB read (and is cut when over max_line_bytes). */
  pad: fc.integer({ min: 0, max: 1_500_000 }),
  batch: fc.integer({ min: 1, max: 9 }),
  selective: fc.boolean(),
  /** Which batch the pipeline stops at (modulo the batches there are). */
  stopAt: fc.nat(5000),
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** The saved checkpoint of the file (the state holds other entries too, the run marker's). */
function savedOffset(stateDir: string, file: string): number {
  const saved = JSON.parse(fs.readFileSync(path.join(stateDir, "checkpoints.json"), "utf8")) as {
    sources: { app: Record<string, { offset?: number; path?: string }> };
  };
  const ofFile = Object.values(saved.sources.app).filter((cp) => cp.path === file);
  expect(ofFile).toHaveLength(1);
  return ofFile[0]?.offset as number;
}

describe("file source: reads handed over in slices", () => {
  it("a crash while a slice waits: the checkpoint is not past it, the restart delivers the rest once", async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        h = new Harness();
        const file = h.path("app.log");
        const lines = c.lines.slice();
        for (const [at, size, needle] of c.huge)
          lines.splice(at % lines.length, 0, Buffer.alloc(size, needle ? "q ab" : "q"));
        lines.push(Buffer.alloc(c.pad, "p"), Buffer.from("after the pad ab"));
        const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
        fs.writeFileSync(file, bytes);
        const reference = new LineSplitter(1024 * 1024).push(bytes);
        const byOffset = new Map(reference.map((l) => [l.offset, l]));
        const mustCome = c.selective ? reference.filter((l) => holds(bytes, l)) : reference;
        const config = { path: file, start_at: "beginning" };
        h.batchRecords = c.batch;
        h.wanted = c.selective ? [NEEDLE] : undefined;

        // First run: warm up without a gate to count the batches, so the stop lands on one that exists.
        const count = await batchesOf(h, config);
        fc.pre(count >= 2);
        const stopAt = 1 + (c.stopAt % (count - 1));
        await h.stop();
        fs.rmSync(h.stateDir, { recursive: true, force: true });
        h.records = [];
        h.batches = [];
        let unblock!: (err: Error) => void;
        const blocked = new Promise<void>((_, reject) => (unblock = reject));
        let waiting: LogRecord[] | undefined;
        h.gate = (batch, i) => {
          if (i !== stopAt) return undefined;
          waiting = batch.records;
          return blocked;
        };
        await h.start(config, { once: true });
        await waitFor(() => waiting !== undefined, `batch ${stopAt} of ${count}`, 60_000);
        await h.store?.flush();
        const cp = savedOffset(h.stateDir, file);
        const before = h.records.slice();
        // Never past a line not yet taken; exactly at the waiting slice's first line when it has one.
        const firstWaiting = waiting?.[0]?.offset;
        expect(firstWaiting).toBeDefined();
        expect(cp).toBeLessThanOrEqual(firstWaiting as number);
        for (const r of before) expect(r.offset as number).toBeLessThan(cp);
        const crashing = h.crash();
        unblock(new Error("the pipeline is gone"));
        await crashing;

        h.gate = undefined;
        h.records = [];
        await (await h.start(config, { once: true })).caughtUp();
        const after = h.records.slice();
        for (const r of after) expect(r.offset as number).toBeGreaterThanOrEqual(cp);
        const all = [...before, ...after];
        const offsets = all.map((r) => r.offset as number);
        expect(new Set(offsets).size).toBe(offsets.length);
        for (const r of all) expect(r.line).toBe(byOffset.get(r.offset as number)?.text);
        const got = new Set(offsets);
        expect(mustCome.filter((l) => !got.has(l.offset)).map((l) => l.offset)).toEqual([]);
        await h.cleanup();
        h = undefined;
        cases++;
      }),
      { numRuns: 8 },
    );
    expect(cases).toBe(8);
  }, 240_000);
});

/** A line whose bytes hold the needle (a selective read must deliver it; it may deliver others too). */
function holds(bytes: Buffer, line: RawLine): boolean {
  return bytes.subarray(line.offset, line.offset + line.bytes).includes(NEEDLE);
}

/** Read the whole file once (--once), acknowledging everything: the number of batches it took. */
async function batchesOf(h: Harness, config: Record<string, unknown>): Promise<number> {
  await (await h.start(config, { once: true })).caughtUp();
  return h.batches.length;
}
