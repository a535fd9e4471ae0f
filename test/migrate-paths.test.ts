// Relative paths in a config resolve against the config file's folder, whatever the working directory: a config
// written next to its logs works the same from a shell in its folder and from a service started in /.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, runLogward, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("logward-paths-"));
  dir = fs.realpathSync(dir);
  fs.mkdirSync(path.join(dir, "logs"));
});
afterEach(() => cleanup());

const CONFIG = `
state_dir: state
log: { file: own/logward.log }
sources:
  app: { path: logs/app.log, start_at: beginning }
rules:
  errors: { source: app, match: ERROR, actions: [out, hook] }
actions:
  out: { type: file, path: out/matches.ndjson }
  hook: { type: http, url: "http://127.0.0.1:9/hook", dead_letter: dead/hook.ndjson, max_retries: 0 }
rotate:
  app: { path: logs/app.log, archive_dir: archive, max_size: 10 }
`;

describe("relative paths in a config", () => {
  it("are printed resolved against the config's folder by logward check, run from /", async () => {
    const config = path.join(dir, "logward.yaml");
    fs.writeFileSync(config, CONFIG);
    const r = await runLogward(["check", "-c", config], { cwd: "/" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`state_dir  ${dir}/state`);
    expect(r.stdout).toContain(`to ${dir}/own/logward.log`);
    for (const p of ["logs/app.log", "out/matches.ndjson", "dead/hook.ndjson", "archive"])
      expect(r.stdout).toContain(`${dir}/${p}`);
    expect(r.stdout).not.toMatch(/[ =]logs\/app\.log/);
  });

  it("are where run --once and rotate read and write, started from /", async () => {
    const config = path.join(dir, "logward.yaml");
    fs.writeFileSync(config, CONFIG);
    fs.writeFileSync(path.join(dir, "logs", "app.log"), "INFO a\nERROR b\n");
    const run = await runLogward(["run", "--once", "-c", config], { cwd: "/" });
    expect(run.code, run.stderr).toBe(0);
    const matches = readLines(path.join(dir, "out", "matches.ndjson")).map((l) => JSON.parse(l) as { line: string });
    expect(matches.map((m) => m.line)).toEqual(["ERROR b"]);
    expect(fs.existsSync(path.join(dir, "state"))).toBe(true);
    expect(readLines(path.join(dir, "dead", "hook.ndjson"))).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, "own", "logward.log"), "utf8")).toContain("logward");
    const rotate = await runLogward(["rotate", "-c", config], { cwd: "/" });
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, "archive"))).toEqual([expect.stringMatching(/^app-\d{8}-\d{6}\.log$/)]);
  });
});
