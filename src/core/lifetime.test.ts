// within(), IdleWaiters and keepAlive(): bounded waits on a Clock, and holding the process open on purpose.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";
import { IdleWaiters, within } from "./lifetime.js";

describe("within", () => {
  it("answers true when the work finishes before the deadline, false when the deadline comes first", async () => {
    const clock = new FakeClock(0);
    expect(await within(clock, 1000, Promise.resolve())).toBe(true);
    expect(clock.pendingTimers()).toBe(0); // its timer is cancelled, not left behind
    const never = new Promise<void>(() => {});
    const waiting = within(clock, 1000, never);
    clock.advance(999);
    await Promise.resolve();
    let settled = false;
    void waiting.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await waiting).toBe(false);
  });

  it("rejects as the work does", async () => {
    await expect(within(new FakeClock(0), 1000, Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});

describe("IdleWaiters", () => {
  it("wakes every waiter once, and only those waiting at the time", async () => {
    const idle = new IdleWaiters();
    let woken = 0;
    const first = [idle.next(), idle.next()].map((p) => p.then(() => woken++));
    idle.wake();
    await Promise.all(first);
    expect(woken).toBe(2);
    const later = idle.next().then(() => woken++);
    await Promise.resolve();
    expect(woken).toBe(2);
    idle.wake();
    await later;
    expect(woken).toBe(3);
  });
});

describe("keepAlive", () => {
  it("holds a process open until let go, then lets it exit", () => {
    // The module as plain JavaScript, in a child process: only a real process can show it stays alive.
    const source = readFileSync(new URL("./lifetime.ts", import.meta.url), "utf8");
    const { code } = transformSync(source, { loader: "ts", format: "esm" });
    const script = `${code}
      const letGo = keepAlive();
      setTimeout(() => { process.stdout.write("held"); letGo(); letGo(); }, 100).unref();`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.stdout).toBe("held"); // without keepAlive the unref'd timer would never fire
    expect(run.status).toBe(0); // and once let go, nothing holds it
  });
});
