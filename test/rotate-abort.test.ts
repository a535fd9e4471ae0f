// The start-up pass interrupted (the daemon asked to stop): it stops between steps or inside a compression,
// leaves no temp file and no lock, loses nothing, and the next pass finishes the work.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import { parseArchiveName } from "../src/rotate/naming.js";
import { gunzipFile, job, list, scheduler, tempDir } from "../src/rotate/testing/harness.js";
import { startLogward, waitFor } from "./helpers.js";

let dir: string;
let state: string;
beforeEach(() => {
  dir = tempDir("logward-rotate-abort-");
  state = tempDir("logward-state-");
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const leftovers = (): string[] => list(dir).filter((n) => n.endsWith(".logward-tmp") || n.endsWith("-lock"));

describe("aborting the start-up pass", () => {
  it("mid-compression of a big file: no temp file, no lock, the rotated file intact; the next pass compresses it", async () => {
    const file = path.join(dir, "app.log");
    const data = randomBytes(24 * 1024 * 1024); // random: gzip -9 takes a while on it
    fs.writeFileSync(file, data);
    const jobs = { app: job({ path: file, max_size: 1, compress: true, compress_level: 9, rotate_wait: 0 }) };
    const rotation = scheduler(jobs, systemClock, state);
    const abort = new AbortController();
    const started = rotation.start(abort.signal);
    const partial = await waitFor(
      () => list(dir).find((n) => n.endsWith(".gz.logward-tmp") && fs.statSync(path.join(dir, n)).size > 0),
      "a partial .gz temp file",
      30_000,
    );
    abort.abort();
    await started;
    await rotation.stop();

    expect(leftovers()).toEqual([]);
    const plain = list(dir).filter((n) => parseArchiveName("app.log", n));
    expect(plain).toEqual([partial.slice(0, -".gz.logward-tmp".length)]); // the uncompressed archive, no .gz
    expect(sha(fs.readFileSync(path.join(dir, plain[0] as string)))).toBe(sha(data));
    expect(fs.statSync(file).size).toBe(0);

    const plans = await scheduler(jobs, systemClock, state).runOnce({ dryRun: false, force: false });
    expect(plans[0]?.actions.map((a) => a.kind)).toEqual(["compress"]);
    expect(list(dir)).toEqual([`${plain[0]}.gz`, "app.log"]);
    expect(sha(gunzipFile(path.join(dir, `${plain[0]}.gz`)))).toBe(sha(data));
  }, 120_000);

  it("before it began: nothing is changed and no lock is left", async () => {
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "data\n");
    const abort = new AbortController();
    abort.abort();
    const rotation = scheduler({ app: job({ path: file, max_size: 1 }) }, systemClock, state);
    await rotation.start(abort.signal);
    await rotation.stop();
    expect(list(dir)).toEqual(["app.log"]);
    expect(fs.readFileSync(file, "utf8")).toBe("data\n");
  });

  it("stop() interrupts a running pass the same way", async () => {
    const file = path.join(dir, "app.log");
    const data = randomBytes(24 * 1024 * 1024);
    fs.writeFileSync(file, data);
    const rotation = scheduler(
      { app: job({ path: file, max_size: 1, compress: true, compress_level: 9, rotate_wait: 0 }) },
      systemClock,
      state,
    );
    const started = rotation.start();
    await waitFor(() => list(dir).some((n) => n.endsWith(".gz.logward-tmp")), "a partial .gz temp file", 30_000);
    await rotation.stop();
    await started;
    expect(leftovers()).toEqual([]);
    const plain = list(dir).filter((n) => parseArchiveName("app.log", n));
    expect(plain).toHaveLength(1);
    expect(sha(fs.readFileSync(path.join(dir, plain[0] as string)))).toBe(sha(data));
  }, 120_000);

  it("`logward rotate` on Ctrl-C mid-compression: exit 130, no temp file, no lock; the next run finishes", async () => {
    const file = path.join(dir, "app.log");
    const data = randomBytes(24 * 1024 * 1024);
    fs.writeFileSync(file, data);
    const config = path.join(state, "logward.yaml");
    const rotate = `{ path: ${file}, max_size: 1, compress: true, compress_level: 9, rotate_wait: 0s }`;
    fs.writeFileSync(config, `state_dir: ${state}\nrotate:\n  app: ${rotate}\n`);
    const running = startLogward(["rotate", "-c", config]);
    await waitFor(() => list(dir).some((n) => n.endsWith(".gz.logward-tmp")), "a partial .gz temp file", 30_000);
    expect(await running.stop("SIGINT")).toBe(130);
    expect(running.stdout()).toContain("interrupted: run logward rotate again to finish");
    expect(leftovers()).toEqual([]);
    const plain = list(dir).filter((n) => parseArchiveName("app.log", n));
    expect(plain).toHaveLength(1);
    expect(sha(fs.readFileSync(path.join(dir, plain[0] as string)))).toBe(sha(data));

    const again = startLogward(["rotate", "-c", config]);
    expect(await again.exited).toBe(0);
    expect(list(dir)).toEqual([`${plain[0]}.gz`, "app.log"]);
    expect(sha(gunzipFile(path.join(dir, `${plain[0]}.gz`)))).toBe(sha(data));
  }, 120_000);
});
