// Rotating a file logward also tails, while an app writes to it: the output holds exactly the lines on disk
// (archives + live file), each once, and with rename that is every line written (a real `logward run`; needs
// `npm run build`). copytruncate loses a line only if the app writes it between the last copy and the truncate.
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArchiveName, compareNewestFirst, type ArchiveName } from "../src/rotate/naming.js";
import { readLines, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

const LINES = 5000;
const BURST = 25;
/** Rotations that must happen while the writer runs (20KB each; the lines make about 200KB). */
const MIN_ARCHIVES = 4;
const MAX_SIZE = 20_000;

let dir: string;
let cleanup: () => void;
let running: Running | undefined;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("logward-rotate-tailing-"));
  dir = fs.realpathSync(dir);
  fs.mkdirSync(path.join(dir, "logs"));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

const lineOf = (n: number): string => `line ${String(n).padStart(6, "0")} ${"x".repeat(30)}`;
const numberOf = (line: string): number => Number(/^line (\d{6}) /.exec(line)?.[1] ?? NaN);

function writeConfig(method: "rename" | "copytruncate"): { config: string; log: string; out: string; archive: string } {
  const log = path.join(dir, "logs", "app.log");
  const out = path.join(dir, "out", "events.ndjson");
  const archive = path.join(dir, "archive");
  const config = path.join(dir, "logward.yaml");
  fs.writeFileSync(
    config,
    [
      `state_dir: ${dir}/state`,
      `sources:`,
      `  app: { path: ${log}, start_at: beginning }`,
      `rules:`,
      `  everything: { source: app, actions: [out] }`,
      `actions:`,
      `  out: { type: file, path: ${out} }`,
      `rotate:`,
      `  app: { path: ${log}, archive_dir: ${archive}, max_size: ${MAX_SIZE}, compress: true, check_every: 1s, method: ${method}, rotate_wait: 1s }`,
      ``,
    ].join("\n"),
  );
  return { config, log, out, archive };
}

/**
 * An app writing numbered lines in bursts; each burst opens the file by path, so it follows a rename. It writes
 * at least LINES lines and goes on until MIN_ARCHIVES rotations happened while it wrote (however loaded the
 * machine is). Returns how many lines it wrote.
 */
async function writeLines(log: string, archiveDir: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  let n = 0;
  while (n < LINES || rotations(archiveDir) < MIN_ARCHIVES) {
    if (Date.now() > deadline) throw new Error(`only ${rotations(archiveDir)} rotations after ${n} lines`);
    const burst: string[] = [];
    for (let i = 0; i < BURST; i++) burst.push(lineOf(++n) + "\n");
    fs.appendFileSync(log, burst.join(""));
    await new Promise((r) => setTimeout(r, 5)); // pacing, like an app: rotations happen between bursts
  }
  return n;
}

/** Archives of app.log, oldest first. */
function archivesOldestFirst(archiveDir: string): ArchiveName[] {
  const names = fs.existsSync(archiveDir) ? fs.readdirSync(archiveDir) : [];
  return names.flatMap((n) => parseArchiveName("app.log", n) ?? []).sort((a, b) => compareNewestFirst(b, a));
}

/** Rotations so far (an archive being compressed counts once). */
function rotations(archiveDir: string): number {
  return new Set(archivesOldestFirst(archiveDir).map((a) => a.base)).size;
}

/** No rotation under way or due: the live file is below max_size, nothing beside it, every archive compressed. */
function rotationsDone(log: string, archiveDir: string): boolean {
  const archived = fs.readdirSync(archiveDir).filter((n) => !n.startsWith("."));
  // Between a rename and the new file's creation the live file does not exist: a rotation is under way.
  const size = fs.statSync(log, { throwIfNoEntry: false })?.size;
  return (
    size !== undefined &&
    size < MAX_SIZE &&
    fs.readdirSync(path.dirname(log)).length === 1 &&
    archived.every((n) => n.endsWith(".gz"))
  );
}

/** The lines of the archives (oldest first) then of the live file; each archive ends with a whole line. */
function linesOnDisk(archiveDir: string, log: string): string[] {
  const lines: string[] = [];
  for (const a of archivesOldestFirst(archiveDir)) {
    const text = gunzipSync(fs.readFileSync(path.join(archiveDir, a.name))).toString("utf8");
    expect(text.endsWith("\n")).toBe(true);
    lines.push(...text.slice(0, -1).split("\n"));
  }
  return [...lines, ...readLines(log)];
}

function outputNumbers(out: string): number[] {
  return readLines(out).map((l) => numberOf((JSON.parse(l) as { line: string }).line));
}

describe.each(["rename", "copytruncate"] as const)(
  "rotating a tailed file while it is written (method %s)",
  (method) => {
    it("delivers every line on disk exactly once; archives + live file hold the lines in order", async () => {
      const { config, log, out, archive } = writeConfig(method);
      fs.writeFileSync(log, "");
      running = startLogward(["run", "-c", config]);
      await running.waitForLog("logward running", 20_000);

      const written = await writeLines(log, archive);
      await waitFor(() => rotationsDone(log, archive), "the last rotation to finish", 30_000);
      const onDisk = linesOnDisk(archive, log).map(numberOf);
      try {
        await waitFor(() => outputNumbers(out).length >= onDisk.length, `${onDisk.length} lines in the output`, 30_000);
      } catch (err) {
        throw new Error(
          `${(err as Error).message} (have ${outputNumbers(out).length}); logward said:\n${running.stderr().slice(-3000)}`,
          { cause: err },
        );
      }
      expect(await running.stop()).toBe(0);
      running = undefined;
      expect(linesOnDisk(archive, log).map(numberOf)).toEqual(onDisk); // nothing rotated since
      expect(rotations(archive)).toBeGreaterThanOrEqual(MIN_ARCHIVES);

      // The tailer: every line that is on disk, once (two tailers, the copy and the live file, may interleave).
      const seen = outputNumbers(out);
      const counts = new Map<number, number>();
      for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
      const missed = onDisk.filter((n) => !counts.has(n));
      const repeated = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
      const disk = new Set(onDisk);
      const unknown = seen.filter((n) => !disk.has(n));
      expect({ missed, repeated, unknown }).toEqual({ missed: [], repeated: [], unknown: [] });

      // The rotation: the lines in order, none twice; with rename every line written.
      expect(onDisk.every((n, i) => i === 0 || n > (onDisk[i - 1] as number))).toBe(true);
      const lost = Array.from({ length: written }, (_, i) => i + 1).filter((n) => !disk.has(n));
      if (method === "rename") expect(lost).toEqual([]);
      // copytruncate: only a burst written in the few syscalls between the last copy and the truncate, if any.
      else expect(lost.length).toBeLessThanOrEqual(BURST * rotations(archive));
      expect(lost.length % BURST).toBe(0);
    }, 120_000);
  },
);
