import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { append, Harness, numbered, waitFor } from "./file-source.helpers.js";

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

const fast = { rescan: "200ms", rotate_wait: "200ms" };

describe("file source: checkpoints across restarts", () => {
  it("resumes exactly at the checkpoint: nothing lost, nothing repeated (start_at end does not skip the gap)", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    fs.writeFileSync(file, "");
    let source = await h.start(config);
    await source.caughtUp();
    append(file, numbered("a", 0, 100));
    await h.waitLines(100);
    await h.waitCheckpoint(file, fs.statSync(file).size);
    await h.stop();
    append(file, numbered("a", 100, 150));
    source = await h.restart(config);
    await source.caughtUp();
    expect(h.lines()).toEqual(numbered("a", 100, 150));
    expect(h.records[0]?.offset).toBe(
      fs.statSync(file).size - Buffer.byteLength(numbered("a", 100, 150).join("\n") + "\n"),
    );
  });

  it("only acknowledged batches count: a held ack means redelivery after a restart", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    fs.writeFileSync(file, "");
    const source = await h.start(config);
    await source.caughtUp();
    append(file, numbered("acked", 0, 3));
    await h.waitLines(3);
    const ackedEnd = fs.statSync(file).size;
    await h.waitCheckpoint(file, ackedEnd);
    h.holdAcks = true;
    append(file, numbered("held", 0, 3));
    await h.waitLines(6);
    await h.stop(); // gives up waiting for the held ack after a short while
    const saved = JSON.parse(fs.readFileSync(`${h.stateDir}/checkpoints.json`, "utf8")) as {
      sources: { app: Record<string, { offset: number; path?: string }> };
    };
    expect(
      Object.values(saved.sources.app)
        .filter((cp) => cp.path === file)
        .map((cp) => cp.offset),
    ).toEqual([ackedEnd]);
    h.holdAcks = false;
    await h.restart(config);
    await h.waitLines(3);
    expect(h.lines()).toEqual(numbered("held", 0, 3));
    expect(h.records[0]?.offset).toBe(ackedEnd);
  });

  it("out-of-order acks: the checkpoint waits for the oldest batch", async () => {
    const file = h.path("app.log");
    fs.writeFileSync(file, "");
    const source = await h.start({ path: file, ...fast });
    await source.caughtUp();
    h.holdAcks = true;
    append(file, ["first"]);
    await h.waitLines(1);
    append(file, ["second"]);
    await h.waitLines(2);
    const [releaseFirst, releaseSecond] = h.held.splice(0);
    releaseSecond?.();
    await h.store?.flush();
    expect([...(h.store?.list("app").values() ?? [])].find((cp) => cp.path === file)?.offset).toBe(0);
    releaseFirst?.();
    await h.waitCheckpoint(file, fs.statSync(file).size);
  });

  it("a file renamed while stopped is read to its end from its checkpoint; the new file from its start", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    append(file, numbered("a", 0, 5));
    await h.start(config);
    await h.waitCheckpoint(file, fs.statSync(file).size);
    await h.stop();
    append(file, numbered("a", 5, 8));
    fs.renameSync(file, h.path("app.log.1"));
    append(file, numbered("b", 0, 4));
    await h.restart(config);
    await h.waitLines(7);
    expect(h.lines().filter((l) => l.startsWith("a"))).toEqual(numbered("a", 5, 8));
    expect(h.lines().filter((l) => l.startsWith("b"))).toEqual(numbered("b", 0, 4));
    await waitFor(async () => (await h.metric("file_open_files")) === 1, "renamed file released");
  });

  it("a file copied and truncated while stopped: the tail comes from the copy, the truncated file from 0", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    append(file, numbered("a", 0, 20));
    await h.start(config);
    await h.waitCheckpoint(file, fs.statSync(file).size);
    await h.stop();
    append(file, numbered("a", 20, 30));
    fs.copyFileSync(file, h.path("app.log.1"));
    fs.truncateSync(file, 0);
    append(file, numbered("b", 0, 5));
    await h.restart(config);
    await h.waitLines(15);
    expect(h.lines().filter((l) => l.startsWith("a"))).toEqual(numbered("a", 20, 30));
    expect(h.lines().filter((l) => l.startsWith("b"))).toEqual(numbered("b", 0, 5));
  });

  it("same inode, different first bytes: a new file, read from its start", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    append(file, numbered("a", 0, 5));
    await h.start(config);
    await h.waitCheckpoint(file, fs.statSync(file).size);
    await h.stop();
    fs.truncateSync(file, 0);
    append(file, numbered("replaced", 0, 20));
    await h.restart(config);
    await h.waitLines(20);
    expect(h.lines()).toEqual(numbered("replaced", 0, 20));
  });

  it("a file created and deleted between runs does not make the next run a first run (start_at applies only once)", async () => {
    const file = h.path("app.log");
    const config = { path: file, ...fast };
    append(file, ["before first run"]);
    await h.start(config);
    await h.waitCheckpoint(file, fs.statSync(file).size);
    fs.unlinkSync(file);
    await waitFor(
      () => [...(h.store?.list("app").values() ?? [])].every((cp) => cp.path !== file),
      "deleted file forgotten",
    );
    await h.stop();
    append(file, ["written while stopped"]);
    await h.restart(config);
    await h.waitLines(1);
    expect(h.lines()).toEqual(["written while stopped"]);
  });

  it("a short file that grew is still recognised by the checksum length it stored", async () => {
    const file = h.path("app.log");
    const config = { path: file, start_at: "beginning", ...fast };
    append(file, ["tiny"]);
    await h.start(config);
    await h.waitLines(1);
    await h.waitCheckpoint(file, 5);
    await h.stop();
    append(file, numbered("more", 0, 100));
    await h.restart(config);
    await h.waitLines(100);
    expect(h.lines()).toEqual(numbered("more", 0, 100));
  });
});
