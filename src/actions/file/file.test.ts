// File action with real files: JSON lines, batching per burst, releases after the write, rotation, errors.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { ACCEPTED } from "../../core/event.js";
import { actionContext, matchEvent, tempDir, trackedRelease, waitFor } from "../exec/testing/helpers.js";
import { Appender } from "./appender.js";
import { FileAction, fileAction, fileSchema } from "./index.js";

const actions: FileAction[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(actions.splice(0).map((a) => a.stop()));
});

function setup(config: Record<string, unknown>, clock?: FakeClock) {
  const context = actionContext("archive", clock);
  const action = fileAction.create(fileSchema.parse(config), context) as FileAction;
  actions.push(action);
  return { action, logs: context.logger.entries };
}

async function deliver(action: FileAction, lines: string[][]): Promise<void> {
  const releases = lines.map(() => trackedRelease());
  for (const [i, l] of lines.entries()) await action.send(matchEvent(l), releases[i]!.release);
  await Promise.all(releases.map((r) => r.done));
}

const linesOf = (file: string) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).line as string);

describe("file action", () => {
  it("appends one JSON object per record, creating missing parent folders", async () => {
    const file = path.join(tempDir(), "deep", "er", "events.ndjson");
    const { action } = setup({ path: file });
    await deliver(action, [["one"], ["two", "three"]]);
    const written = fs.readFileSync(file, "utf8").split("\n");
    expect(written).toHaveLength(4);
    expect(JSON.parse(written[0]!)).toEqual({
      time: "2026-11-21T04:15:00.000Z",
      source: "app",
      file: "/var/log/app.log",
      offset: 0,
      line: "one",
      rule: "r",
      fields: {},
    });
    await deliver(action, [["four"]]);
    expect(linesOf(file)).toEqual(["one", "two", "three", "four"]);
  });

  it("expands a leading ~/ to the home folder", async () => {
    const home = tempDir();
    vi.stubEnv("HOME", home);
    const { action } = setup({ path: "~/logward/events.ndjson" });
    await deliver(action, [["at home"]]);
    expect(linesOf(path.join(home, "logward", "events.ndjson"))).toEqual(["at home"]);
    vi.unstubAllEnvs();
  });

  it("writes a burst of sends with one append, and releases only after it", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file, fsync: true });
    const append = vi.spyOn(Appender.prototype, "append");
    const seen: number[] = [];
    const releases = [0, 1, 2, 3, 4].map(() => trackedRelease());
    for (const [i, r] of releases.entries()) {
      await action.send(matchEvent([`line ${i}`]), () => {
        seen.push(linesOf(file).length); // what the file holds when the event is released
        r.release();
      });
    }
    expect(releases.some((r) => r.released())).toBe(false);
    await Promise.all(releases.map((r) => r.done));
    expect(append).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([5, 5, 5, 5, 5]);
  });

  it("takes events at once (ACCEPTED) below the high-water mark, then the sender waits for the write", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file });
    const big = "x".repeat(64 * 1024);
    let written = 0;
    const append = vi.spyOn(Appender.prototype, "append").mockImplementation(async function (this: Appender, data) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // a slow disk: the burst stays pending meanwhile
      fs.appendFileSync(file, data);
      written += data.length;
    });
    const releases: ReturnType<typeof trackedRelease>[] = [];
    let waited: Promise<void> | undefined;
    // 8 MiB is the mark: 64 KiB lines reach it within 130 sends.
    for (let i = 0; i < 200 && !waited; i++) {
      const r = trackedRelease();
      releases.push(r);
      const sending = action.send(matchEvent([`${i} ${big}`]), r.release);
      if (sending !== ACCEPTED) waited = sending;
    }
    expect(waited).toBeDefined();
    expect(releases.length).toBeGreaterThan(100);
    expect(written).toBe(0);
    await waited;
    // The wait ends once the pending bytes are written: nothing is released before its bytes are in the file.
    expect(written).toBe(fs.statSync(file).size);
    expect(releases.every((r) => r.released())).toBe(true);
    expect(linesOf(file).map((l) => Number(l.split(" ")[0]))).toEqual(releases.map((_, i) => i));
    expect(append).toHaveBeenCalled();
  });

  it("calls a release shared by events in a row once per event, in order, after the write (Ack.ordered)", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file });
    expect(action.releasesInOrder).toBe(true);
    let written = 0;
    vi.spyOn(Appender.prototype, "append").mockImplementation(async function (this: Appender, data) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      fs.appendFileSync(file, data);
      written += data.length;
    });
    // Runs of sends sharing a release (a, a, a, b, a, c, c), as the dispatcher's ordered holds make them.
    const calls: string[] = [];
    const releaseOf = (name: string) => () => calls.push(`${name}@${written}`);
    const shared = { a: releaseOf("a"), b: releaseOf("b"), c: releaseOf("c") };
    const order = ["a", "a", "a", "b", "a", "c", "c"] as const;
    for (const [i, name] of order.entries()) expect(action.send(matchEvent([`${i}`]), shared[name])).toBe(ACCEPTED);
    await action.flush(5000);
    const size = fs.statSync(file).size;
    expect(calls).toEqual(order.map((name) => `${name}@${size}`));
    expect(linesOf(file)).toEqual(order.map((_, i) => `${i}`));
  });

  it("follows the file when it is renamed away or deleted", async () => {
    const dir = tempDir();
    const file = path.join(dir, "events.ndjson");
    const { action } = setup({ path: file });
    await deliver(action, [["before rotation"]]);
    fs.renameSync(file, `${file}.1`);
    await deliver(action, [["after rotation"]]);
    fs.unlinkSync(file);
    await deliver(action, [["after deletion"]]);
    expect(linesOf(`${file}.1`)).toEqual(["before rotation"]);
    expect(linesOf(file)).toEqual(["after deletion"]);
  });

  it("keeps appending after copytruncate", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file });
    await deliver(action, [["one"]]);
    fs.truncateSync(file, 0);
    await deliver(action, [["two"]]);
    expect(fs.readFileSync(file, "utf8").startsWith("{")).toBe(true); // no hole of NULs before it
    expect(linesOf(file)).toEqual(["two"]);
  });

  it("reopens on request (SIGHUP)", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file });
    await deliver(action, [["one"]]);
    await action.reopen();
    await deliver(action, [["two"]]);
    expect(linesOf(file)).toEqual(["one", "two"]);
  });

  it("retries a failing write and succeeds once the path is usable", async () => {
    const dir = tempDir();
    const blocker = path.join(dir, "sub");
    fs.writeFileSync(blocker, "a file where the folder should be");
    const clock = new FakeClock();
    const { action, logs } = setup({ path: path.join(blocker, "events.ndjson") }, clock);
    const r = trackedRelease();
    await action.send(matchEvent(["eventually"]), r.release);
    await waitFor(() => clock.pendingTimers() > 0, "a retry to be scheduled");
    expect(logs.some((e) => e.level === "warn" && /retrying/.test(e.msg))).toBe(true);
    fs.unlinkSync(blocker);
    clock.advance(10_000);
    await r.done;
    expect(linesOf(path.join(blocker, "events.ndjson"))).toEqual(["eventually"]);
  });

  it("gives up after the retries, logs the loss and releases", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "sub"), "");
    const clock = new FakeClock();
    const { action, logs } = setup({ path: path.join(dir, "sub", "events.ndjson") }, clock);
    const r = trackedRelease();
    await action.send(matchEvent(["lost"]), r.release);
    while (!r.released()) {
      await waitFor(() => clock.pendingTimers() > 0 || r.released(), "a retry or the give-up");
      clock.advance(10_000);
    }
    expect(logs.filter((e) => /retrying/.test(e.msg))).toHaveLength(4);
    expect(logs.some((e) => e.level === "error" && /lost/.test(e.msg) && e.fields.events === 1)).toBe(true);
  });

  it("flush resolves once pending events are written", async () => {
    const file = path.join(tempDir(), "events.ndjson");
    const { action } = setup({ path: file });
    await action.send(matchEvent(["pending"]), () => {});
    await action.flush(10_000);
    expect(linesOf(file)).toEqual(["pending"]);
  });
});
