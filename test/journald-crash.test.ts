// The daemon on a real journal, killed with SIGKILL while entries keep coming: nothing lost, and nothing read twice
// beyond what was delivered after the last saved cursor (none at all when the kill finds the cursor saved).
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, runLogward, startLogward, tempDir, waitFor } from "./helpers.js";
import { appendJournal, haveJournalTools, messages } from "./journal.helpers.js";
import { readOutput } from "./torture.helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("logward-journald-crash-")));
afterEach(() => cleanup());

const built = fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"));
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
/** Entries `prefix i pad`: readOutput keeps `prefix i`. */
const entries = (prefix: string, n: number) => messages(ids(prefix, n).map((id) => `${id} sshd[1]: payload`));

function setup() {
  const journal = path.join(dir, "journal", "system.journal");
  const state = path.join(dir, "state");
  const config = path.join(dir, "logward.yaml");
  fs.writeFileSync(
    config,
    [
      `state_dir: ${state}`,
      `sources: { sys: { type: journald, directory: "${path.dirname(journal)}", start_at: beginning } }`,
      "rules: { all: { source: sys, actions: [out] } }",
      'actions: { out: { type: file, path: "${OUT}" } }',
    ].join("\n"),
  );
  const out = (run: number) => path.join(dir, `out-${run}.ndjson`);
  const saved = (): number => {
    const file = path.join(state, "checkpoints.json");
    if (!fs.existsSync(file)) return 0;
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as {
      sources: Record<string, Record<string, { offset: number }>>;
    };
    return Object.values(parsed.sources.sys ?? {})[0]?.offset ?? 0;
  };
  const start = (run: number) => startLogward(["run", "-c", config], { env: { OUT: out(run) } });
  return { journal, out, saved, start };
}

describe.skipIf(!haveJournalTools || !built)("journald source: SIGKILL and restart", () => {
  it("a kill after the cursor was saved, entries written while down: each entry delivered exactly once", async () => {
    const { journal, out, saved, start } = setup();
    await appendJournal(journal, entries("a", 300));
    const one = start(0);
    await one.waitForLog("logward running", 30_000);
    await waitFor(() => readOutput(out(0)).length === 300, "the first entries delivered");
    await waitFor(() => saved() === 300, "their cursor saved");
    one.child.kill("SIGKILL");
    await one.exited;
    await appendJournal(journal, entries("b", 200));
    const two = start(1);
    await two.waitForLog("logward running", 30_000);
    await waitFor(() => readOutput(out(1)).includes("b 199"), "the entries written while down");
    await appendJournal(journal, entries("c", 50));
    await waitFor(() => readOutput(out(1)).includes("c 49"), "an entry written while following");
    await two.stop();
    expect(readOutput(out(0))).toEqual(ids("a", 300));
    expect(readOutput(out(1))).toEqual([...ids("b", 200), ...ids("c", 50)]);
  });

  it("a kill in the middle of a long read: nothing lost, repeats only of entries after the saved cursor", async () => {
    const { journal, out, saved, start } = setup();
    const want = ids("x", 40_000);
    await appendJournal(journal, entries("x", 40_000));
    const one = start(0);
    await one.waitForLog("logward running", 30_000);
    // Killed at the first saved cursor: usually mid-read; a fast machine may have delivered all by then.
    await waitFor(() => saved() > 0, "a first cursor saved");
    one.child.kill("SIGKILL");
    await one.exited;
    const savedAtKill = saved();
    const first = readOutput(out(0));
    expect(first).toEqual(want.slice(0, first.length));
    await appendJournal(journal, entries("y", 100));
    const two = start(1);
    await two.waitForLog("logward running", 30_000);
    await waitFor(() => readOutput(out(1)).includes("y 99"), "everything, after the restart", 60_000);
    await two.stop();
    const second = readOutput(out(1));
    // The second run starts right after the saved cursor: what it repeats is exactly what was delivered past it.
    expect(second).toEqual([...want.slice(savedAtKill), ...ids("y", 100)]);
    expect(savedAtKill).toBeLessThanOrEqual(first.length);
  });

  it("the README's sshd jail: --once bans at 5 failures, and a second --once reads nothing again", async () => {
    const journal = path.join(dir, "journal", "system.journal");
    const bans = path.join(dir, "bans.txt");
    const config = path.join(dir, "jail.yaml");
    fs.writeFileSync(
      config,
      [
        `state_dir: ${path.join(dir, "state")}`,
        `sources: { sshd: { type: journald, directory: "${path.dirname(journal)}",`,
        "                   identifiers: sshd, start_at: beginning } }",
        "rules:",
        "  ssh-bruteforce:",
        "    source: sshd",
        "    match: '/Failed password for (invalid user )?\\S+ from (?<ip>[0-9a-f.:]+)/'",
        "    threshold: { count: 5, within: 10m }",
        "    actions: [ban]",
        `actions: { ban: { type: exec, command: 'echo "$LOGWARD_FIELD_IP $LOGWARD_COUNT" >> ${bans}' } }`,
      ].join("\n"),
    );
    const failure = (ip: string) => ({
      MESSAGE: `Failed password for root from ${ip} port 22 ssh2`,
      SYSLOG_IDENTIFIER: "sshd",
    });
    await appendJournal(journal, [
      ...Array.from({ length: 5 }, () => failure("203.0.113.9")),
      { MESSAGE: "Failed password for root from 198.51.100.1 port 22 ssh2", SYSLOG_IDENTIFIER: "cron" },
    ]);
    const once = () => runLogward(["run", "--once", "-c", config]);
    expect((await once()).code).toBe(0);
    expect(fs.readFileSync(bans, "utf8")).toBe("203.0.113.9 5\n");
    await appendJournal(
      journal,
      Array.from({ length: 4 }, () => failure("203.0.113.9")),
    );
    expect((await once()).code).toBe(0);
    // 4 new failures do not make 5: the first 5 were not read again.
    expect(fs.readFileSync(bans, "utf8")).toBe("203.0.113.9 5\n");
  });
});
