// The rotation lock: exclusive while held, released, and broken only when its holder is gone.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock } from "./lock.js";

let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-lock-"));
});
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const writeLock = (file: string, pid: number): void =>
  fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), time: Date.now() }));

/** A pid that is surely not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => p.on("exit", resolve));
  return p.pid as number;
}

describe("acquireLock", () => {
  it("is exclusive until released, and leaves nothing behind", async () => {
    const file = path.join(dir, ".app.log.logward-lock");
    const first = await acquireLock(file);
    expect(first.acquired).toBe(true);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
    expect((await acquireLock(file)).acquired).toBe(false);
    if (first.acquired) await first.release();
    expect(fs.readdirSync(dir)).toEqual([]);
    const again = await acquireLock(file);
    expect(again.acquired).toBe(true);
    if (again.acquired) await again.release();
  });

  it("respects a lock held by another live process", async () => {
    child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const file = path.join(dir, "lock");
    writeLock(file, child.pid as number);
    const result = await acquireLock(file);
    expect(result).toMatchObject({ acquired: false, holder: expect.stringContaining(`pid ${child.pid}`) });
    expect(fs.existsSync(file)).toBe(true);
  });

  it("breaks a stale lock whose process is gone", async () => {
    const file = path.join(dir, "lock");
    writeLock(file, await deadPid());
    const result = await acquireLock(file);
    expect(result.acquired).toBe(true);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
    if (result.acquired) await result.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("treats an unreadable lock as held while fresh, stale once old", async () => {
    const file = path.join(dir, "lock");
    fs.writeFileSync(file, "");
    expect((await acquireLock(file)).acquired).toBe(false);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const result = await acquireLock(file);
    expect(result.acquired).toBe(true);
    if (result.acquired) await result.release();
  });
});
