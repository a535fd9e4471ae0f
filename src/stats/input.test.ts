import { spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CHUNK_BYTES, LineSplitter, readStream, replayFile, replayStdin } from "./input.js";

const texts = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString("utf8"));

describe("LineSplitter", () => {
  it("hands over only complete lines and keeps the rest for the next chunk", () => {
    const splitter = new LineSplitter();
    expect(texts(splitter.push(Buffer.from("one\ntw")))).toEqual(["one"]);
    expect(texts(splitter.push(Buffer.from("o\nthree")))).toEqual(["two"]);
    expect(texts(splitter.push(Buffer.from("\n")))).toEqual(["three"]);
    expect(texts(splitter.push(Buffer.from("four")))).toEqual([]);
    expect(texts(splitter.push(Buffer.from("\nfive\nsix\n")))).toEqual(["four", "five\nsix"]);
    expect(texts(splitter.push(Buffer.from("seven")))).toEqual([]);
    expect(splitter.end().toString()).toBe("seven");
  });

  it("never splits a UTF-8 character between chunks", () => {
    const bytes = Buffer.from("café\nnaïve ☃\n");
    const splitter = new LineSplitter();
    expect(texts([...bytes].flatMap((b) => splitter.push(Buffer.from([b]))))).toEqual(["café", "naïve ☃"]);
  });

  it("hands over invalid UTF-8 and NUL bytes as they are", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from([0xff, 0x41, 0x00, 0x42, 0x0a, 0x43, 0x0a]))).toEqual([
      Buffer.from([0xff, 0x41, 0x00, 0x42, 0x0a, 0x43]),
    ]);
  });

  it("does not keep a reference to a reused buffer", () => {
    const splitter = new LineSplitter();
    const buffer = Buffer.from("abc");
    splitter.push(buffer);
    buffer.write("xyz");
    expect(texts(splitter.push(Buffer.from("\n")))).toEqual(["abc"]);
  });

  it("drops a line longer than the limit up to its newline and counts it", () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push(Buffer.from("0123456789ABCDEF"))).toEqual([]);
    expect(splitter.push(Buffer.from("more of it"))).toEqual([]);
    expect(texts(splitter.push(Buffer.from("end\nnext\n")))).toEqual(["next"]);
    expect(splitter.overlong).toBe(1);
  });

  it("loses and adds no line, however the input is cut (property)", () => {
    const line = fc.stringMatching(/^[a-z é☃\r]{0,12}$/);
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 10 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.join("\n"));
          const splitter = new LineSplitter();
          const out: Buffer[] = [];
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const size = cuts[i % cuts.length] as number;
            out.push(...splitter.push(bytes.subarray(at, at + size)).map((b) => Buffer.from(b)));
            at += size;
          }
          out.push(splitter.end());
          const got = texts(out)
            .flatMap((t) => t.split("\n"))
            .filter((l) => l !== "");
          expect(got).toEqual(lines.filter((l) => l !== ""));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("replayFile and readStream", () => {
  it("read every line of a file larger than one chunk, and of a stream, the same way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logward-input-"));
    try {
      const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"x".repeat(i % 70)} é`);
      const content = `${lines.join("\n")}\nlast-without-newline`;
      expect(Buffer.byteLength(content)).toBeGreaterThan(CHUNK_BYTES);
      const file = join(dir, "big.log");
      writeFileSync(file, content);
      const fromFile: string[] = [];
      let progress = 0;
      await replayFile(
        file,
        (lines) => void fromFile.push(...lines.toString().split("\n")),
        new LineSplitter(),
        (bytes) => (progress = bytes),
      );
      expect(fromFile).toEqual([...lines, "last-without-newline"]);
      expect(progress).toBe(Buffer.byteLength(content));
      const fromStream: string[] = [];
      const chunks = [Buffer.from(content).subarray(0, 1000), Buffer.from(content).subarray(1000)];
      await readStream(
        Readable.from(chunks),
        (lines) => void fromStream.push(...lines.toString().split("\n")),
        new LineSplitter(),
      );
      expect(fromStream).toEqual(fromFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replayFile ends with the sink's error, after the read it started ahead has finished", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logward-input-"));
    try {
      const file = join(dir, "big.log");
      writeFileSync(file, "a line\n".repeat(400_000));
      let calls = 0;
      const failing = async (): Promise<void> => {
        await new Promise((resolve) => setImmediate(resolve));
        if (++calls === 2) throw new Error("sink failed");
      };
      await expect(replayFile(file, failing, new LineSplitter())).rejects.toThrow("sink failed");
      expect(calls).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replayStdin reads a file descriptor like a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logward-input-"));
    try {
      const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${"y".repeat(i % 90)}`);
      const file = join(dir, "in.log");
      writeFileSync(file, `${lines.join("\n")}\nlast`);
      const fd = openSync(file, "r");
      const got: string[] = [];
      try {
        await replayStdin((part) => void got.push(...part.toString().split("\n")), new LineSplitter(), undefined, {
          fd,
          stream: () => expect.unreachable() as never,
        });
      } finally {
        closeSync(fd);
      }
      expect(got).toEqual([...lines, "last"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replayStdin goes on as a stream where a non-blocking pipe would block", async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "logward-input-"));
    const fifo = join(dir, "in.fifo");
    try {
      if (spawnSync("mkfifo", [fifo]).status !== 0) {
        if (process.env.CI === "true") throw new Error("mkfifo is missing");
        ctx.skip("mkfifo is missing");
      }
      const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const writeEnd = openSync(fifo, constants.O_WRONLY);
      writeSync(writeEnd, "first\nsecond\nthi"); // read by fs reads; the next one finds the pipe empty
      let streamed = false;
      const stream = (): Readable => {
        streamed = true;
        writeSync(writeEnd, "rd\nfourth\n");
        closeSync(writeEnd);
        return new Socket({ fd: readEnd, readable: true, writable: false });
      };
      const got: string[] = [];
      await replayStdin((part) => void got.push(...part.toString().split("\n")), new LineSplitter(), undefined, {
        fd: readEnd,
        stream,
      });
      expect(streamed).toBe(true);
      expect(got).toEqual(["first", "second", "third", "fourth"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
