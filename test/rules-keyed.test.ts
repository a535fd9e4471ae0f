// End to end through the built CLI: a fail2ban-like jail (group_by + threshold + cooldown + an exec that "bans") and
// a heartbeat watched with `absent`, with real files and real child processes.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLines, runLogward, startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let running: Running | undefined;

beforeEach(() => ({ dir, cleanup } = tempDir("logward-keyed-")));
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

const failed = (ip: string, n: number) =>
  `Dec  7 01:0${n % 10}:00 host sshd[4${n}]: Failed password for root from ${ip} port 22 ssh2\n`;

function jailConfig(): string {
  const path = join(dir, "logward.yaml");
  writeFileSync(
    path,
    [
      `state_dir: ${join(dir, "state")}`,
      "web: { listen: 127.0.0.1:0, auth: none }",
      "sources:",
      "  auth: { path: auth.log, start_at: beginning }",
      "rules:",
      "  sshd-jail:",
      "    source: auth",
      '    match: "/Failed password for .* from (?<ip>[0-9.]+) port/"',
      "    group_by: [ip]",
      "    threshold: { count: 3, within: 10m }",
      "    cooldown: 1h",
      "    actions: [ban]",
      "actions:",
      "  ban: { type: exec, command: 'echo \"$LOGWARD_FIELD_IP $LOGWARD_COUNT\" >> banned.txt' }",
    ].join("\n"),
  );
  return path;
}

describe("a fail2ban-like jail", () => {
  it("bans the address with 3 failures, not the one with 2, and only once within the cooldown", async () => {
    const config = jailConfig();
    const log = join(dir, "auth.log");
    const lines = [failed("10.0.0.1", 1), failed("10.0.0.2", 2), failed("10.0.0.1", 3), failed("10.0.0.2", 4)];
    writeFileSync(log, [...lines, failed("10.0.0.1", 5), failed("10.0.0.1", 6), failed("10.0.0.1", 7)].join(""));
    const once = await runLogward(["run", "--once", "-c", config], { cwd: dir });
    expect(once.stderr).not.toMatch(/error/i);
    expect(once.code).toBe(0);
    // 10.0.0.1: fired at its 3rd failure; the 4th to 6th fill another window inside the cooldown: swallowed.
    expect(readLines(join(dir, "banned.txt"))).toEqual(["10.0.0.1 3"]);

    running = startLogward(["run", "-c", config], { cwd: dir });
    const web = await running.waitForLog("web UI listening");
    await running.waitForLog("logward running");
    // Windows live in memory: the new process counts 10.0.0.2 from zero (fail2ban keeps its bans, not its counts).
    appendFileSync(
      log,
      failed("10.0.0.2", 8) + failed("10.0.0.3", 9) + failed("10.0.0.2", 10) + failed("10.0.0.2", 11),
    );
    await waitFor(() => readLines(join(dir, "banned.txt")).length === 2, "the second ban");
    expect(readLines(join(dir, "banned.txt"))).toEqual(["10.0.0.1 3", "10.0.0.2 3"]);
    const metrics = await (await fetch(new URL("metrics", String(web.url)))).text();
    expect(metrics).toContain('logward_rule_matches_total{rule="sshd-jail"} 4');
    expect(metrics).toContain('logward_rule_fired_total{rule="sshd-jail"} 1');
    expect(metrics).toMatch(/^logward_build_info\{version="\d+\.\d+\.\d+[^"]*",node="[\d.]+"\} 1$/m);
  });
});

describe("a heartbeat watched with absent", () => {
  it("fires once per silence on the clock and recovers when the heartbeat comes back", async () => {
    const path = join(dir, "logward.yaml");
    writeFileSync(
      path,
      [
        `state_dir: ${join(dir, "state")}`,
        "sources: { beats: { path: beats.log } }",
        "rules:",
        "  backup-heartbeat: { source: beats, match: 'backup ok', absent: 2s, actions: [page] }",
        "actions:",
        "  page: { type: exec, command: 'echo \"$LOGWARD_STATE|$LOGWARD_KIND|$LOGWARD_MESSAGE\" >> states.txt' }",
      ].join("\n"),
    );
    writeFileSync(join(dir, "beats.log"), "");
    running = startLogward(["run", "-c", path], { cwd: dir });
    await running.waitForLog("logward running");
    const states = () => readLines(join(dir, "states.txt")).map((l) => l.split("|"));
    // Nothing came since the start: after 2 s of clock, one firing, and no second one for the same silence.
    await waitFor(() => states().length === 1, "the first silence");
    expect(states()[0]?.slice(0, 2)).toEqual(["firing", "absence"]);
    expect(states()[0]?.[2]).toMatch(/^backup-heartbeat: no matching line for 2s \(last at /);
    await new Promise((r) => setTimeout(r, 2500)); // a further silence of the same length changes nothing
    expect(states()).toHaveLength(1);
    appendFileSync(join(dir, "beats.log"), "unrelated\nbackup ok\n");
    await waitFor(() => states().length === 2, "the recovery");
    expect(states()[1]?.slice(0, 2)).toEqual(["recovered", "absence"]);
    expect(states()[1]?.[2]).toMatch(/came back after/);
    await waitFor(() => states().length === 3, "the next silence");
    expect(states()[2]?.[0]).toBe("firing");
  });
});
