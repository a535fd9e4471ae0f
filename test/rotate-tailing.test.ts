// Rotating a file logward also tails, while an app writes to it: every line reaches the output exactly once,
// and the archives plus the live file hold every line in order (a real `logward run`; needs `npm run build`).
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
      `  app: { path: ${log}, archive_dir: ${archive}, max_size: 20KB, compress: true, check_every: 1s, method: ${method} }`,
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

function outputNumbers(out: string): number[] {
  return readLines(out).map((l) => numberOf((JSON.parse(l) as { line: string }).line));
}

describe.each(["rename", "copytruncate"] as const)("rotating a tailed file while it is written (method %s)", (method) => {
  it("tails every line exactly once, and archives + live file hold every line in order", async () => {
    const { config, log, out, archive } = writeConfig(method);
    fs.writeFileSync(log, "");
    running = startLogward(["run", "-c", config]);
    await running.waitForLog("logward running", 20_000);

    const written = await writeLines(log, archive);
    try {
      await waitFor(() => outputNumbers(out).length >= written, `${written} lines in the output`, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message} (have ${outputNumbers(out).length}); logward said:\n${running.stderr().slice(-3000)}`, { cause: err });
    }
    expect(await running.stop()).toBe(0); // also waits for a rotation under way
    running = undefined;

    const seen = outputNumbers(out);
    const counts = new Map<number, number>();
    for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
    const missing = Array.from({ length: written }, (_, i) => i + 1).filter((n) => !counts.has(n));
    const repeated = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
    expect({ missing, repeated, total: seen.length }).toEqual({ missing: [], repeated: [], total: written });

    const archives = archivesOldestFirst(archive);
    expect(archives.every((a) => a.gz)).toBe(true); // compressed, and no temp or half-done file left
    expect(fs.readdirSync(archive).filter((n) => !n.startsWith("."))).toHaveLength(archives.length);
    const onDisk: string[] = [];
    for (const a of archives) {
      const text = gunzipSync(fs.readFileSync(path.join(archive, a.name))).toString("utf8");
      expect(text.endsWith("\n")).toBe(true); // rotated on line boundaries (whole bursts)
      onDisk.push(...text.slice(0, -1).split("\n"));
    }
    expect(fs.readdirSync(path.dirname(log))).toEqual(["app.log"]); // nothing left beside it
    onDisk.push(...readLines(log));
    expect(archives.length).toBeGreaterThanOrEqual(MIN_ARCHIVES);
    expect(onDisk.length).toBe(written);
    expect(onDisk.every((l, i) => l === lineOf(i + 1))).toBe(true);
  }, 120_000);
});
