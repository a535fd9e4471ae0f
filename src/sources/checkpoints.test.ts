import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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
