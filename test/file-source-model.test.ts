// Model-based test of the tailer: random writes, partial writes, rotations and restarts against what must be delivered.
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileSource } from "../src/sources/file/source.js";
import { Harness, waitFor } from "./file-source.helpers.js";

type Rotation = "rename" | "copytruncate" | "delete";

type Step =
  | { kind: "write"; lines: number; pad: number }
  | { kind: "partial"; cut: number }
  /** Rotate right after writing `tail` more lines (and maybe a partial one): the source has not read those yet. */
  | { kind: "rotate"; how: Rotation; tail: number; partial: boolean }
  /** Stop (at once when eager: files may be mid-read, a deleted one undrained), act while stopped, start again. */
  | { kind: "restart"; eager: boolean; downWrites: number; downRotation: "none" | "rename" | "copytruncate" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      lines: fc.integer({ min: 1, max: 40 }),
      pad: fc.integer({ min: 0, max: 400 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("partial" as const), cut: fc.integer({ min: 1, max: 1000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("rotate" as const),
      how: fc.constantFrom("rename" as const, "copytruncate" as const, "delete" as const),
      tail: fc.integer({ min: 0, max: 30 }),
      partial: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("restart" as const),
      eager: fc.boolean(),
      downWrites: fc.integer({ min: 0, max: 5 }),
      downRotation: fc.constantFrom("none" as const, "rename" as const, "copytruncate" as const),
    }),
  },
);

/** What the files hold and what the source must deliver, exactly once. */
class Model {
  gen = 1;
  seq = 0;
  rotated = 0;
  expected: string[] = [];
  /** The line being written in pieces: its full text and how much of it is in the file. */
  pending: { text: string; written: number } | undefined;
  /** Partial last lines left in renamed or copied files: delivered when those are let go. */
  heldInRotated = new Set<string>();
  /** Bytes written to the current file generation. */
  bytesInGen = 0;

  constructor(readonly file: string) {}

  write(lines: number, pad: number): void {
    let out = "";
    if (this.pending) {
      out += this.pending.text.slice(this.pending.written) + "\n";
      this.expected.push(this.pending.text);
      this.pending = undefined;
    }
    for (let i = 0; i < lines; i++) {
      const text = this.nextText((pad * (i + 1)) % 401);
      out += text + "\n";
      this.expected.push(text);
    }
    this.append(out);
  }

  partial(cut: number): void {
    this.pending ??= { text: this.nextText(1 + (cut % 97)), written: 0 };
    const left = this.pending.text.length - this.pending.written;
    if (left <= 1) return;
    // The first piece holds the unique "g<gen>-<seq>-" prefix, so a fragment delivered alone is still unique.
    const least = this.pending.written === 0 ? this.pending.text.indexOf("x") : 1;
    const n = Math.min(left - 1, least + (cut % left));
    this.append(this.pending.text.slice(this.pending.written, this.pending.written + n));
    this.pending.written += n;
  }

  rotate(how: Rotation): void {
    const target = `${this.file}.${++this.rotated}`;
    if (how === "rename") fs.renameSync(this.file, target);
    else if (how === "delete") fs.unlinkSync(this.file);
    else {
      fs.copyFileSync(this.file, target);
      fs.truncateSync(this.file, 0);
    }
    // A partial last line in the rotated file is delivered on its own when that file is let go.
    if (this.pending && this.pending.written > 0) {
      const fragment = this.pending.text.slice(0, this.pending.written);
      this.expected.push(fragment);
      if (how !== "delete") this.heldInRotated.add(fragment);
    }
    this.pending = undefined;
    this.gen++;
    this.bytesInGen = 0;
  }

  private nextText(pad: number): string {
    return `g${this.gen}-${this.seq++}-${"x".repeat(pad)}`;
  }

  private append(text: string): void {
    fs.appendFileSync(this.file, text);
    this.bytesInGen += Buffer.byteLength(text);
  }
}

async function run(steps: Step[]): Promise<void> {
  const h = new Harness();
  const m = new Model(h.path("app.log"));
  const config = { path: m.file, rescan: "100ms", rotate_wait: "100ms" };
  const delivered = new Set<string>();
  const collect = (): void => {
    for (const r of h.records.splice(0)) {
      if (process.env.LOGWARD_MODEL_DEBUG) console.error("DELIVERED", r.file, r.offset, r.line.slice(0, 30));
      expect(delivered.has(r.line), `line delivered twice: ${r.line.slice(0, 40)}`).toBe(false);
      delivered.add(r.line);
    }
  };
  const settle = async (): Promise<void> => (h.source as FileSource).settle();
  try {
    fs.writeFileSync(m.file, "");
    await (await h.start(config)).caughtUp();
    for (const step of steps) {
      if (step.kind === "write") m.write(step.lines, step.pad);
      else if (step.kind === "partial") m.partial(step.cut);
      else if (step.kind === "rotate") await rotateLive(m, step, settle);
      else {
        if (!step.eager) {
          // Stop once everything is delivered but partial last lines of renamed or copied files (held until they
          // are let go; found again on restart).
          await settle();
          const due = m.expected.filter((l) => !m.heldInRotated.has(l));
          await waitFor(() => (collect(), due.every((l) => delivered.has(l))), "delivered before stopping");
        }
        // Rotated while stopped, a file is found again only through its checkpoint: one created while stopped has
        // none, one that was empty has no first bytes to recognise its copy by, and one stopped eagerly may not have
        // been seen at all yet (documented limits).
        const existed = fs.existsSync(m.file);
        const identified = existed && m.bytesInGen > 0;
        await h.stop();
        collect();
        for (let i = 0; i < step.downWrites; i++) m.write(1, i * 50);
        const unseen = !existed || step.eager || (step.downRotation === "copytruncate" && !identified);
        const how = unseen ? "none" : step.downRotation;
        if (how !== "none") m.rotate(how);
        await (await h.start(config)).caughtUp();
      }
    }
    m.write(1, 0); // completes a pending partial line too
    const want = new Set(m.expected);
    const done = async (): Promise<boolean> => {
      collect();
      return [...want].every((l) => delivered.has(l)) && (await h.metric("file_open_files")) <= 1;
    };
    await waitFor(
      done,
      () => `all delivered; missing ${JSON.stringify([...want].filter((l) => !delivered.has(l)).slice(0, 3))}`,
    );
    expect([...delivered].sort()).toEqual([...want].sort());
  } finally {
    await h.cleanup();
  }
}

/**
 * The source has seen everything written so far; then the tail is written and the file rotated with no pause,
 * so the source finds that tail unread. Not modelled (no tailer can do it): content written to an empty file
 * and copied+truncated away before the source ever looked at it.
 */
async function rotateLive(
  m: Model,
  step: Extract<Step, { kind: "rotate" }>,
  settle: () => Promise<void>,
): Promise<void> {
  if (!fs.existsSync(m.file)) return;
  await settle();
  const seenBytes = m.bytesInGen > 0;
  if (step.how !== "copytruncate" || seenBytes) {
    if (step.tail > 0) m.write(step.tail, step.tail * 7);
    if (step.partial) m.partial(step.tail * 31 + 5);
  }
  m.rotate(step.how);
}

describe("file source model", () => {
  it("delivers every line exactly once through random writes, rotations and restarts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), async (steps) => run(steps)),
      {
        numRuns: Number(process.env.LOGWARD_MODEL_RUNS ?? 12),
        endOnFailure: true,
        // Replay a failure: LOGWARD_MODEL_SEED=<seed> LOGWARD_MODEL_PATH=<path> from the report.
        ...(process.env.LOGWARD_MODEL_SEED
          ? { seed: Number(process.env.LOGWARD_MODEL_SEED), path: process.env.LOGWARD_MODEL_PATH }
          : {}),
      },
    );
  }, 120_000);
});
