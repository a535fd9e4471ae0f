import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Checkpoint } from "../core/checkpoint.js";
import { FakeClock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { Metrics } from "../core/metrics.js";
import { FileCheckpointStore } from "./checkpoints.js";
import { waitFor } from "../../test/helpers.js";

interface Logged {
  level: string;
  obj: object | string;
  msg?: string;
}

function recordingLogger(into: Logged[]): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) => void into.push({ level, obj, msg });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-cp-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function metricValue(metrics: Metrics, name: string): Promise<number> {
  const text = await metrics.text();
  const line = text.split("\n").find((l) => l.startsWith(`logward_${name} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

describe("FileCheckpointStore", () => {
  it("round-trips checkpoints through checkpoints.json, leaving no temp file", async () => {
    const dir = tempDir();
    const opts = { logger: recordingLogger([]), metrics: new Metrics() };
    const store = await FileCheckpointStore.open(dir, opts);
    store.set("app", "1:2", { offset: 42, path: "/x.log", head: { len: 3, hash: "ab" } });
    store.set("app", "1:3", { offset: 7 });
    store.delete("app", "1:3");
    await store.close();
    expect(fs.readdirSync(dir)).toEqual(["checkpoints.json"]);
    const again = await FileCheckpointStore.open(dir, opts);
    expect(again.get("app", "1:2")).toEqual({ offset: 42, path: "/x.log", head: { len: 3, hash: "ab" } });
    expect(again.list("app").size).toBe(1);
    await again.close();
  });

  it("saves on its own about a second after a set", async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger([]), metrics: new Metrics(), clock });
    store.set("app", "k", { offset: 1 });
    expect(fs.existsSync(store.file)).toBe(false);
    clock.advance(1000);
    await waitFor(() => fs.existsSync(store.file));
    expect(JSON.parse(fs.readFileSync(store.file, "utf8")).sources.app.k.offset).toBe(1);
    await store.close();
  });

  it("moves a corrupt file aside loudly and starts empty", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "checkpoints.json"), '{"sources": {"app": {"k": {"offs');
    const logged: Logged[] = [];
    const metrics = new Metrics();
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger(logged), metrics });
    expect(store.list("app").size).toBe(0);
    expect(logged.some((l) => l.level === "error" && /corrupt/.test(l.msg ?? ""))).toBe(true);
    expect(fs.readdirSync(dir).some((n) => n.startsWith("checkpoints.json.corrupt-"))).toBe(true);
    expect(await metricValue(metrics, "checkpoint_corrupt_total")).toBe(1);
    await store.close();
  });

  it("logs and counts a failed write, keeps the old file whole, and succeeds on retry", async () => {
    const dir = tempDir();
    const logged: Logged[] = [];
    const metrics = new Metrics();
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger(logged), metrics });
    store.set("app", "k", { offset: 1 });
    await store.flush();
    // A non-empty directory where the file must go makes the rename fail (works even as root).
    fs.renameSync(store.file, path.join(dir, "saved.json"));
    fs.mkdirSync(store.file);
    fs.writeFileSync(path.join(store.file, "blocker"), "x");
    store.set("app", "k", { offset: 2 });
    await expect(store.flush()).rejects.toThrow(/cannot save checkpoints/);
    expect(logged.some((l) => l.level === "error")).toBe(true);
    expect(await metricValue(metrics, "checkpoint_write_failures_total")).toBe(1);
    expect(fs.readdirSync(dir).filter((n) => n.includes(".tmp-"))).toEqual([]);
    fs.rmSync(store.file, { recursive: true });
    await store.flush();
    expect(JSON.parse(fs.readFileSync(store.file, "utf8")).sources.app.k.offset).toBe(2);
    await store.close();
  });
});

describe("FileCheckpointStore: two slots and validation", () => {
  const good = (n: number, base: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`8:${i}`, { offset: base + i * 100, path: `/l/${i}.log` }]),
    );

  /** A state dir whose checkpoints.json.prev holds offsets `prev` and checkpoints.json offsets `main` (later). */
  async function twoSaves(
    dir: string,
  ): Promise<{ prev: Record<string, Checkpoint>; main: Record<string, Checkpoint> }> {
    const prev = good(5, 1000);
    const main = good(5, 5000);
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger([]), metrics: new Metrics() });
    for (const [k, cp] of Object.entries(prev)) store.set("app", k, cp);
    await store.flush();
    for (const [k, cp] of Object.entries(main)) store.set("app", k, cp);
    await store.close();
    return { prev, main };
  }

  it("keeps the previous save as checkpoints.json.prev", async () => {
    const dir = tempDir();
    const { prev, main } = await twoSaves(dir);
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")).sources.app;
    expect(read("checkpoints.json.prev")).toEqual(prev);
    expect(read("checkpoints.json")).toEqual(main);
    expect(fs.readdirSync(dir).sort()).toEqual(["checkpoints.json", "checkpoints.json.prev"]);
  });

  it("recovers from the previous copy when the main file is truncated, and says so", async () => {
    const dir = tempDir();
    const { prev } = await twoSaves(dir);
    const file = path.join(dir, "checkpoints.json");
    fs.truncateSync(file, 40);
    const logged: Logged[] = [];
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger(logged), metrics: new Metrics() });
    expect(Object.fromEntries(store.list("app"))).toEqual(prev);
    const warn = logged.find((l) => l.level === "warn" && /recovered from the previous copy/.test(l.msg ?? ""));
    expect(warn?.obj).toMatchObject({ recoveredFrom: `${file}.prev`, checkpoints: 5 });
    // The next save writes a good main file and keeps the good previous copy (not the damaged file).
    store.set("app", "8:0", { offset: 9999 });
    await store.close();
    expect(JSON.parse(fs.readFileSync(`${file}.prev`, "utf8")).sources.app).toEqual(prev);
  });

  it("falls back per entry for offsets that are not whole byte counts, never looping on them", async () => {
    const dir = tempDir();
    await twoSaves(dir);
    const file = path.join(dir, "checkpoints.json");
    const bad = [4.5, -1, 2 ** 60, "12", null];
    const sources = { app: { ...good(5, 5000) }, gone: { "1:1": { offset: 4.5 } } };
    bad.forEach((offset, i) => ((sources.app as Record<string, unknown>)[`8:${i % 5}`] = { offset }));
    // A version 1 file (what older logward wrote: no checksum) is validated entry by entry.
    fs.writeFileSync(file, JSON.stringify({ version: 1, sources }));
    const logged: Logged[] = [];
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger(logged), metrics: new Metrics() });
    for (let i = 0; i < 5; i++) expect(store.get("app", `8:${i}`)?.offset).toBe(1000 + i * 100);
    expect(store.list("gone").size).toBe(0);
    expect(logged.filter((l) => /replaced by the previous copy/.test(l.msg ?? "")).length).toBe(bad.length);
    expect(logged.filter((l) => /dropped/.test(l.msg ?? "")).length).toBe(1);
    await store.close();
  });

  it("starts empty, loudly, when both copies are bad", async () => {
    const dir = tempDir();
    await twoSaves(dir);
    fs.writeFileSync(path.join(dir, "checkpoints.json"), "garbage");
    fs.writeFileSync(path.join(dir, "checkpoints.json.prev"), '{"sources": []}');
    const logged: Logged[] = [];
    const store = await FileCheckpointStore.open(dir, { logger: recordingLogger(logged), metrics: new Metrics() });
    expect(store.list("app").size).toBe(0);
    expect(logged.some((l) => l.level === "error" && /no good previous copy/.test(l.msg ?? ""))).toBe(true);
    await store.close();
  });

  it("never throws and never loses a position, whatever truncation or byte flips hit the main file", async () => {
    const dir = tempDir();
    const { prev, main } = await twoSaves(dir);
    const file = path.join(dir, "checkpoints.json");
    const [mainBytes, prevBytes] = [fs.readFileSync(file), fs.readFileSync(`${file}.prev`)];
    const damage = fc.oneof(
      fc.record({ cut: fc.integer({ min: 0, max: mainBytes.length - 1 }) }),
      fc.record({
        flips: fc.array(fc.tuple(fc.nat(mainBytes.length - 1), fc.integer({ min: 0, max: 7 })), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        for (const n of fs.readdirSync(dir)) fs.rmSync(path.join(dir, n));
        let bytes = Buffer.from(mainBytes);
        if ("cut" in d) bytes = bytes.subarray(0, d.cut);
        else for (const [at, bit] of d.flips) bytes[at] = (bytes[at] as number) ^ (1 << bit);
        fs.writeFileSync(file, bytes);
        fs.writeFileSync(`${file}.prev`, prevBytes);
        const store = await FileCheckpointStore.open(dir, { logger: recordingLogger([]), metrics: new Metrics() });
        for (const key of Object.keys(main)) {
          const offset = store.get("app", key)?.offset;
          expect([prev[key]?.offset, main[key]?.offset]).toContain(offset);
        }
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});
