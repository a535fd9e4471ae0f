// End to end: `logward run` and `logward check` from config files, with real files and processes.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, runLogward, startLogward, tempDir, waitFor } from "./helpers.js";

let dir: string;
let cleanup: () => void;

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function writeConfig(body: string): string {
  const path = join(dir, "logward.yaml");
  writeFileSync(path, body);
  return path;
}

/** `logward check` on a config of these lines. */
function check(lines: string[]): ReturnType<typeof runLogward> {
  return runLogward(["check", "-c", writeConfig(lines.join("\n"))]);
}

describe("logward check", () => {
  it("lists every mistake with file, line:column and key path, and exits 2", async () => {
    const r = await check([
      "sources:",
      "  app: { path: /var/log/app.log, colour: blue }",
      "rules:",
      '  oom: { source: app, match: "/a(b/", actions: [restart] }',
      "  storm: { source: nowhere, threshold: { count: many, within: 1m }, actions: [restart] }",
      "actions:",
      '  restart: { type: exec, command: "true", timeout: soon }',
      "",
    ]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n");
    const expectIssue = (re: RegExp) =>
      expect(
        lines.some((l) => re.test(l)),
        `${re} in:\n${r.stderr}`,
      ).toBe(true);
    expectIssue(/logward\.yaml:2:\d+ .*sources\.app.*colour/);
    expectIssue(/logward\.yaml:4:\d+ rules\.oom\.match.*invalid regex/);
    expectIssue(/logward\.yaml:5:\d+ rules\.storm\.source.*nowhere/);
    expectIssue(/logward\.yaml:5:\d+ rules\.storm\.threshold\.count/);
    expectIssue(/logward\.yaml:7:\d+ actions\.restart\.timeout.*invalid duration/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the rules whose patterns give no literal to prefilter on", async () => {
    const r = await check([
      "sources: { app: { path: /var/log/app.log } }",
      "rules:",
      "  slow: { source: app, match: '/^\\d+ \\w+$/', actions: [log] }",
      '  oom: { source: app, match: ["/OutOfMemory|Killed process/i"], actions: [log] }',
      "  all: { source: app, actions: [log] }",
      "actions: { log: { type: console } }",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("hint: rule slow has no literal prefilter: every line is tested\n");
  });

  it("names the rules grouping by a field nothing sets", async () => {
    const r = await check([
      "sources: { app: { path: /var/log/app.log }, web: { path: /var/log/access.log, parser: combined } }",
      "rules:",
      "  jail: { source: app, match: '/Failed password from (\\S+)/', group_by: ip, actions: [log] }",
      "  keyed: { source: app, match: '/from (?<ip>\\S+)/', group_by: ip, actions: [log] }",
      "  hosts: { source: web, match: '\" 404 ', group_by: [host, ip], actions: [log] }",
      "actions: { log: { type: console } }",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      'hint: rule jail groups by "ip", which neither a named group of its match nor source app (file, no parser) ' +
        "sets: its lines have no key, so it never fires",
      'hint: rule hosts groups by "ip", which neither a named group of its match nor source web (file, parser ' +
        "combined) sets: its lines have no key, so it never fires",
    ]);
  });

  it("prints the resolved pipeline of a valid config", async () => {
    const r = await check([
      "state_dir: ${STATE:-/tmp/lw-state}",
      "sources: { app: { path: /var/log/app.log } }",
      "rules: { oom: { source: app, match: OutOfMemory, cooldown: 3s, actions: [restart] } }",
      "actions: { restart: { type: exec, command: systemctl restart app } }",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/app/);
    expect(r.stdout).toMatch(/oom/);
    expect(r.stdout).toMatch(/restart/);
    expect(r.stdout).toMatch(/\/tmp\/lw-state/);
  });

  it("exits 2 with a clear message when the config file is missing", async () => {
    const r = await runLogward(["check", "-c", join(dir, "nope.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("logward run", () => {
  function config(extra = ""): string {
    return writeConfig(
      [
        `state_dir: ${dir}/state`,
        `sources: { app: { path: "${dir}/*.log", start_at: beginning } }`,
        "rules:",
        "  errors: { source: app, match: ERROR, actions: [archive] }",
        "  burst: { source: app, match: /auth fail/, threshold: { count: 3, within: 1m }, actions: [archive] }",
        `actions: { archive: { type: file, path: "${dir}/events.ndjson" } }`,
        extra,
      ].join("\n"),
    );
  }

  async function once(cfg: string): Promise<void> {
    const r = await runLogward(["run", "-c", cfg, "--once", "--log-format", "json"]);
    expect(r.code, r.stderr).toBe(0);
  }

  it("--once sees each line exactly once across runs (checkpoints)", async () => {
    const cfg = config();
    writeFileSync(join(dir, "a.log"), "ERROR one\nINFO ok\n");
    await once(cfg);
    appendFileSync(join(dir, "a.log"), "ERROR two\n");
    writeFileSync(join(dir, "b.log"), "ERROR three\n");
    await once(cfg);
    await once(cfg);
    const events = readLines(join(dir, "events.ndjson")).map(
      (l) => JSON.parse(l) as { line: string; rule: string; file: string; offset: number },
    );
    expect(events.map((e) => e.line).sort()).toEqual(["ERROR one", "ERROR three", "ERROR two"]);
    const two = events.find((e) => e.line === "ERROR two");
    expect(two).toMatchObject({ rule: "errors", file: join(dir, "a.log"), offset: "ERROR one\nINFO ok\n".length });
  });

  it("fires a threshold rule once per window of N matches", async () => {
    const cfg = config();
    writeFileSync(join(dir, "a.log"), "auth fail 1\nauth fail 2\nINFO\nauth fail 3\nauth fail 4\n");
    await once(cfg);
    const events = readLines(join(dir, "events.ndjson")).map((l) => JSON.parse(l) as { line: string; rule: string });
    expect(events.filter((e) => e.rule === "burst").map((e) => e.line)).toEqual([
      "auth fail 1",
      "auth fail 2",
      "auth fail 3",
    ]);
  });

  it("drains on SIGTERM and exits 0; a bad config on SIGHUP keeps the old one running", async () => {
    const cfg = config();
    writeFileSync(join(dir, "a.log"), "");
    const r = startLogward(["run", "-c", cfg]);
    await r.waitForLog("logward running");
    appendFileSync(join(dir, "a.log"), "ERROR live\n");
    await waitFor(() => readLines(join(dir, "events.ndjson")).length === 1, "event");
    writeFileSync(cfg, readFileSync(cfg, "utf8") + "\nbogus_key: 1\n");
    r.child.kill("SIGHUP");
    await r.waitForLog("new configuration rejected; keeping the running one");
    appendFileSync(join(dir, "a.log"), "ERROR still\n");
    await waitFor(() => readLines(join(dir, "events.ndjson")).length === 2, "second event");
    expect(await r.stop("SIGTERM")).toBe(0);
  });
});
