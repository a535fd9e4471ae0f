// The torture test's world: seeded writers and rotations, where every line lives, and what a checkpoint covers.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Seeded PRNG (mulberry32): the same seed gives the same sequence of file operations. */
export class Rng {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const HEAD_BYTES = 256;

/** One content of one inode from its offset 0: a truncation starts a new generation of the same inode. */
export interface Gen {
  key: string;
  /** Its first bytes (the identity a checkpoint's head checksums). */
  head: Buffer;
  size: number;
  lines: Loc[];
}

/** Where a line is: in this generation, between these offsets. */
export interface Loc {
  text: string;
  gen: Gen;
  offset: number;
  end: number;
}

export interface StoredCheckpoint {
  offset: number;
  copy?: boolean;
  head?: { len: number; hash: string };
}

export type Checkpoints = Record<string, StoredCheckpoint>;

function keyOf(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

function newGen(key: string): Gen {
  return { key, head: Buffer.alloc(0), size: 0, lines: [] };
}

class Writer {
  fd: number;
  gen: Gen;
  /** After a rename the app keeps writing to the old file for a few steps before it reopens its log. */
  stale: { fd: number; gen: Gen; steps: number } | undefined;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "a");
    this.gen = newGen(keyOf(fs.fstatSync(this.fd, { bigint: true })));
  }

  reopen(): void {
    this.fd = fs.openSync(this.file, "a");
    this.gen = newGen(keyOf(fs.fstatSync(this.fd, { bigint: true })));
  }
}

export type Rotation = "rename" | "copytruncate" | "delete";

export class World {
  readonly writers: Writer[];
  /** Every line written, with every place it is (a copy adds a place). */
  readonly where = new Map<string, Loc[]>();
  written = 0;
  private readonly next: number[];
  private rotatedSeq = 0;

  constructor(
    readonly dir: string,
    count: number,
  ) {
    this.writers = Array.from({ length: count }, (_, i) => new Writer(path.join(dir, `w${i}.log`)));
    this.next = this.writers.map(() => 0);
  }

  /** Append n numbered lines for writer w (some to its stale file after a rename, as an app that reopens late). */
  write(w: number, n: number, rng: Rng): void {
    const writer = this.writers[w] as Writer;
    const texts = Array.from({ length: n }, () => `w${w} ${this.next[w]!++} ${"x".repeat(rng.int(120))}`);
    const stale = writer.stale;
    if (stale) {
      const k = Math.floor(n / 2); // the current file gets at least one line
      this.append(stale.fd, stale.gen, texts.splice(0, k));
    }
    if (texts.length > 0) this.append(writer.fd, writer.gen, texts);
  }

  /**
   * Rotate writer w's file; returns the generation that has no path any more (delete), if any. Live (logward
   * running), an app writes a little more to a deleted file through its open descriptor before it reopens.
   */
  rotate(w: number, how: Rotation, rng: Rng, live: boolean): Gen | undefined {
    const writer = this.writers[w] as Writer;
    const target = `${writer.file}.${++this.rotatedSeq}`;
    if (how === "rename") {
      this.closeStale(writer);
      fs.renameSync(writer.file, target);
      writer.stale = { fd: writer.fd, gen: writer.gen, steps: 1 + rng.int(4) };
      writer.reopen();
      return undefined;
    }
    if (how === "copytruncate") {
      fs.copyFileSync(writer.file, target);
      const copy: Gen = {
        key: keyOf(fs.statSync(target, { bigint: true })),
        head: writer.gen.head,
        size: writer.gen.size,
        lines: [],
      };
      for (const loc of writer.gen.lines) this.place({ ...loc, gen: copy });
      fs.truncateSync(writer.file, 0);
      writer.gen = newGen(writer.gen.key);
      return undefined;
    }
    const gone = writer.gen;
    fs.unlinkSync(writer.file);
    const last = live ? rng.int(4) : 0;
    if (last > 0)
      this.append(
        writer.fd,
        gone,
        Array.from({ length: last }, () => `w${w} ${this.next[w]!++} deleted`),
      );
    fs.closeSync(writer.fd);
    writer.reopen();
    return gone;
  }

  /** A step passed: apps reopen their logs a few steps after a rename (well within rotate_wait). */
  tick(): void {
    for (const writer of this.writers) if (writer.stale && --writer.stale.steps <= 0) this.closeStale(writer);
  }

  /** Every app reopens its log now: before a wait that may be long, so no late write exceeds rotate_wait. */
  reopenAll(): void {
    for (const writer of this.writers) this.closeStale(writer);
  }

  /** Whether writer w's current file has any content (an empty file has no identity to find it by). */
  hasContent(w: number): boolean {
    return (this.writers[w] as Writer).gen.size > 0;
  }

  /** Whether the persisted checkpoints identify the file writer w writes now: rotated, it can be found again. */
  known(w: number, cps: Checkpoints): boolean {
    const gen = (this.writers[w] as Writer).gen;
    return gen.size > 0 && matching(gen, cps) !== undefined;
  }

  /** Whether the persisted checkpoints say every line of writer w's current file is delivered. */
  drained(w: number, cps: Checkpoints): boolean {
    const gen = (this.writers[w] as Writer).gen;
    return gen.size === 0 || (matching(gen, cps)?.offset ?? -1) >= gen.size;
  }

  /**
   * Lines a checkpoint says are delivered. `any`: some checkpoint of a place holding the line is past it (what
   * must be true of a delivered line). `all`: every checkpoint of its places is (what a restart resumes after).
   */
  covered(cps: Checkpoints, mode: "any" | "all"): Set<string> {
    const out = new Set<string>();
    for (const [text, locs] of this.where) {
      const offsets = locs.flatMap((loc) => {
        const cp = matching(loc.gen, cps);
        return cp ? [cp.offset >= loc.end] : [];
      });
      if (offsets.length > 0 && (mode === "any" ? offsets.some(Boolean) : offsets.every(Boolean))) out.add(text);
    }
    return out;
  }

  /** Every line every writer wrote, as "w<i> <n>". */
  allIds(): string[] {
    return this.next.flatMap((n, w) => Array.from({ length: n }, (_, i) => `w${w} ${i}`));
  }

  close(): void {
    for (const writer of this.writers) {
      this.closeStale(writer);
      fs.closeSync(writer.fd);
    }
  }

  private closeStale(writer: Writer): void {
    if (!writer.stale) return;
    fs.closeSync(writer.stale.fd);
    writer.stale = undefined;
  }

  private append(fd: number, gen: Gen, texts: string[]): void {
    const buf = Buffer.from(texts.map((t) => t + "\n").join(""));
    for (let done = 0; done < buf.length;) done += fs.writeSync(fd, buf, done);
    let at = gen.size;
    for (const text of texts) {
      const end = at + Buffer.byteLength(text) + 1;
      this.place({ text: idOf(text), gen, offset: at, end });
      at = end;
    }
    if (gen.head.length < HEAD_BYTES)
      gen.head = Buffer.concat([gen.head, buf.subarray(0, HEAD_BYTES - gen.head.length)]);
    gen.size += buf.length;
    this.written += texts.length;
  }

  private place(loc: Loc): void {
    loc.gen.lines.push(loc);
    const locs = this.where.get(loc.text);
    if (locs) locs.push(loc);
    else this.where.set(loc.text, [loc]);
  }
}

/** "w1 42 xxx" → "w1 42". */
export function idOf(line: string): string {
  const second = line.indexOf(" ", line.indexOf(" ") + 1);
  return second < 0 ? line : line.slice(0, second);
}

/** The checkpoint that identifies this generation (same inode, same first bytes; copy markers excluded). */
export function matching(gen: Pick<Gen, "key" | "head">, cps: Checkpoints): StoredCheckpoint | undefined {
  const cp = cps[gen.key];
  if (!cp || cp.copy === true || !cp.head || cp.head.len === 0 || cp.head.len > gen.head.length) return undefined;
  const hash = createHash("sha256").update(gen.head.subarray(0, cp.head.len)).digest("hex").slice(0, 32);
  return hash === cp.head.hash ? cp : undefined;
}

/** The checkpoints of source `app` in state_dir/checkpoints.json (must always parse: it is written atomically). */
export function readCheckpoints(stateDir: string): Checkpoints {
  const file = path.join(stateDir, "checkpoints.json");
  if (!fs.existsSync(file)) return {};
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { sources: Record<string, Checkpoints> };
  return parsed.sources.app ?? {};
}

/** Line ids in an NDJSON output file: complete lines only (a kill can cut the last write short). */
export function readOutput(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => idOf((JSON.parse(l) as { line: string }).line));
}
