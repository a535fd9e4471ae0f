// A damaged checkpoints.json with start_at: end: the lines written while logward was stopped are still delivered.
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLines, runLogward, tempDir } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A config (start_at: end) whose every line goes to out.ndjson; returns a `run --once` of it. */
function setup(): { dir: string; log: string; once: () => Promise<number | null>; delivered: () => string[] } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, "app.log");
  writeFileSync(log, "before the first run\n");
  writeFileSync(
    join(dir, "logward.yaml"),
    [
      `state_dir: ${join(dir, "state")}`,
      "sources:",
      `  app: { path: ${log}, start_at: end }`,
      "rules:",
      "  all: { source: app, actions: [out] }",
      "actions:",
      `  out: { type: file, path: ${join(dir, "out.ndjson")} }`,
    ].join("\n") + "\n",
  );
  const once = async () => (await runLogward(["run", "--once", "-c", join(dir, "logward.yaml")])).code;
  const delivered = () => readLines(join(dir, "out.ndjson")).map((l) => (JSON.parse(l) as { line: string }).line);
  return { dir, log, once, delivered };
}

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `line ${from + i}`);

describe("a damaged checkpoint file", { timeout: 60_000 }, () => {
  const damages: [string, (file: string) => void][] = [
    ["truncated", (file) => truncateSync(file, 30)],
    ["garbage", (file) => writeFileSync(file, "\u0000\u0001 not json at all")],
    ["the wrong shape", (file) => writeFileSync(file, '{"version":1,"sources":[1,2]}')],
    [
      "an offset of 4.5",
      (file) => {
        const text = readFileSync(file, "utf8").replace(/"offset":\d+/g, '"offset":4.5');
        writeFileSync(file, text.replace(/"checksum":"[0-9a-f]+",/, "").replace('"version":2', '"version":1'));
      },
    ],
  ];
  for (const [what, damage] of damages) {
    it(`${what}: no line written while stopped is lost, at most one run repeated`, async () => {
      const { dir, log, once, delivered } = setup();
      expect(await once()).toBe(0); // starts at the end: nothing delivered, a checkpoint saved
      appendFileSync(log, lines(1, 100).join("\n") + "\n");
      expect(await once()).toBe(0); // a second save: checkpoints.json.prev is the first
      appendFileSync(log, lines(101, 500).join("\n") + "\n");
      damage(join(dir, "state", "checkpoints.json"));
      const result = await runLogward(["run", "--once", "-c", join(dir, "logward.yaml")]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/previous copy/);
      const got = delivered();
      // Recovered from the copy before the last save: the 100 lines of that run may come again, none is lost.
      for (const line of lines(1, 600)) expect(got).toContain(line);
      expect(got.length).toBeLessThanOrEqual(700);
    });
  }
});
