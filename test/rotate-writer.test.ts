// rename rotation of a file whose writer never reopens it: nothing it writes after the rename may end up in a
// compressed-away or deleted file. A real child process holds the file open for writing; the rotation runs live.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import { recordingLogger } from "../src/actions/exec/testing/helpers.js";
import { parseArchiveName } from "../src/rotate/naming.js";
import { job, scheduler, tempDir } from "../src/rotate/testing/harness.js";
import type { RotateScheduler } from "../src/rotate/scheduler.js";
import { waitFor } from "./helpers.js";

let dir: string;
let state: string;
let writer: ChildProcess | undefined;
let rotation: RotateScheduler | undefined;
beforeEach(() => {
  dir = tempDir("logward-rotate-writer-");
  state = tempDir("logward-state-");
});
afterEach(async () => {
  writer?.kill("SIGKILL");
  writer = undefined;
  await rotation?.stop();
  rotation = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

const A_LINES = 40_000;
const B_LINES = 10_000;
const MAX_SIZE = 64 * 1024;

/**
 * An app that opens the log once (O_APPEND) and writes `total` numbered lines in bursts, never reopening it;
 * prints "done" and keeps the file open until its stdin closes.
 */
function startHoldingWriter(file: string, total: number): ChildProcess {
  const script = `
    const fs = require("fs");
    const fd = fs.openSync(process.argv[1], "a");
    const total = Number(process.argv[2]);
    let n = 0;
    const burst = () => {
      let chunk = "";
      for (let i = 0; i < 200 && n < total; i++) chunk += "A " + ++n + " " + "a".repeat(n % 40) + "\\n";
      fs.writeSync(fd, chunk);
      if (n < total) setTimeout(burst, 2);
      else process.stdout.write("done\\n");
    };
    burst();
    process.stdin.on("end", () => process.exit(0));
    process.stdin.resume();
  `;
  return spawn(process.execPath, ["-e", script, file, String(total)], { stdio: ["pipe", "pipe", "inherit"] });
}

/** How often each line appears across the live file, uncompressed archives and .gz archives. */
function lineCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of fs.readdirSync(dir)) {
    if (name !== "app.log" && !parseArchiveName("app.log", name)) continue;
    const raw = fs.readFileSync(path.join(dir, name));
    const text = (name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
    for (const line of text.split("\n")) if (line) counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

/** Lines of one writer that are missing or there more than once. */
function badLines(counts: Map<string, number>, tag: string, total: number): { missing: number; repeated: number } {
  let missing = 0;
  let repeated = 0;
  for (let n = 1; n <= total; n++) {
    const c = counts.get(`${tag} ${n} ${(tag === "A" ? "a" : "b").repeat(n % 40)}`) ?? 0;
    if (c === 0) missing++;
    if (c > 1) repeated++;
  }
  return { missing, repeated };
}

const archives = (): string[] => fs.readdirSync(dir).filter((n) => parseArchiveName("app.log", n));
const plainArchives = (): string[] => archives().filter((n) => !n.endsWith(".gz"));
/** Rotations so far (a file being compressed is there twice for a moment, plain and .gz). */
const rotations = (): number => new Set(archives().map((n) => n.replace(/\.gz$/, ""))).size;

describe("method rename with a writer that keeps its file open (no post_rotate)", () => {
  it("keeps the renamed file uncompressed while held: every line stays on disk; compressed once the writer exits", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "");
    const logger = recordingLogger();
    const config = { path: file, max_size: MAX_SIZE, compress: true, rotate_wait: "300ms", check_every: "1s" };
    rotation = scheduler({ app: job(config) }, systemClock, state, { logger });
    await rotation.start();

    writer = startHoldingWriter(file, A_LINES);
    const writerDone = new Promise<void>((resolve) => writer?.stdout?.on("data", () => resolve()));
    // Another app appends by path (open, write, close), paced, so the live file keeps passing max_size.
    // It goes on until 3 rotations happened, however slow the machine is.
    const deadline = Date.now() + 60_000;
    let bLines = 0;
    while (bLines < B_LINES || rotations() < 3) {
      if (Date.now() > deadline) throw new Error(`only ${rotations()} rotations after ${bLines} lines`);
      const n = ++bLines;
      fs.appendFileSync(file, `B ${n} ${"b".repeat(n % 40)}\n`);
      if (n % 100 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await writerDone;
    await waitFor(
      () =>
        (fs.statSync(file, { throwIfNoEntry: false })?.size ?? MAX_SIZE) < MAX_SIZE &&
        plainArchives().length === 1 &&
        rotations() >= 3,
      "rotations to settle: every archive compressed but the one the writer holds",
      30_000,
    ).catch((err: Error) => {
      const seen = logger.entries.map((e) => `${e.level} ${e.msg} ${JSON.stringify(e.fields)}`).slice(-20);
      throw new Error(`${err.message}; folder: ${fs.readdirSync(dir).join(" ")}\n${seen.join("\n")}`);
    });

    const held = plainArchives()[0] as string;
    let counts = lineCounts();
    expect({ a: badLines(counts, "A", A_LINES), b: badLines(counts, "B", bLines) }).toEqual({
      a: { missing: 0, repeated: 0 },
      b: { missing: 0, repeated: 0 },
    });
    expect(counts.size).toBe(A_LINES + bLines);
    // The writer's lines after the rename all went into the held file: it was never compressed away.
    const heldText = fs.readFileSync(path.join(dir, held), "utf8");
    expect(heldText).toContain(`A ${A_LINES} `);
    const warnings = logger.entries.filter((e) => e.level === "warn");
    expect(warnings).toHaveLength(1); // said once, however many passes saw it
    // The kernel's command name: "node", or "MainThread" on Node 24, which names its main thread.
    const comm = fs.readFileSync(`/proc/${writer.pid}/comm`, "utf8").trim();
    expect(warnings[0]?.fields).toMatchObject({ pid: writer.pid, comm });
    expect(warnings[0]?.msg).toMatch(/still open for writing by pid \d+ \([^)]+\).*post_rotate.*copytruncate/);
    expect(warnings[0]?.msg).toContain(`(${comm})`);

    // The writer lets go: the next sweep compresses the file, with every line.
    writer.stdin?.end();
    await new Promise((resolve) => writer?.on("exit", resolve));
    await waitFor(() => plainArchives().length === 0, "the released file to be compressed", 10_000);
    counts = lineCounts();
    expect({ a: badLines(counts, "A", A_LINES), b: badLines(counts, "B", bLines) }).toEqual({
      a: { missing: 0, repeated: 0 },
      b: { missing: 0, repeated: 0 },
    });
    expect(counts.size).toBe(A_LINES + bLines);
    expect(archives()).toContain(`${held}.gz`);
  }, 90_000);
});
