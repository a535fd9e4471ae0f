// The journald source against real journal files (written by systemd-journal-remote) and a real journalctl child.
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryCheckpointStore } from "../src/core/checkpoint.js";
import { systemClock } from "../src/core/clock.js";
import type { SourceContext } from "../src/core/component.js";
import { silentLogger, type Logger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord, Release } from "../src/core/record.js";
import { journaldSource } from "../src/sources/journald/index.js";
import type { JournaldSource } from "../src/sources/journald/source.js";
import { tempDir, waitFor } from "./helpers.js";
import { appendJournal, haveJournalTools, messages } from "./journal.helpers.js";

let dir: string;
let cleanup: () => void;
let journal: string;
const running: JournaldSource[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir("logward-journald-"));
  journal = join(dir, "j", "test.journal");
});
afterEach(async () => {
  for (const source of running.splice(0)) await source.stop();
  cleanup();
});

interface Run {
  source: JournaldSource;
  records: LogRecord[];
  /** Releases of batches not yet delivered (when holding). */
  held: Release[];
  /** Sizes of the batches emitted, in order. */
  sizes: number[];
  warnings: string[];
  metrics: Metrics;
}

/** A source on the test journal; with hold, batches stay undelivered until their release is called. */
function open(
  config: Record<string, unknown>,
  store: MemoryCheckpointStore,
  opts: { once?: boolean; hold?: boolean } = {},
) {
  const run: Run = {
    source: undefined as never,
    records: [],
    held: [],
    sizes: [],
    warnings: [],
    metrics: new Metrics(),
  };
  const logger: Logger = { ...silentLogger, warn: (_obj, msg) => void run.warnings.push(String(msg)) };
  const context: SourceContext = {
    name: "j",
    clock: systemClock,
    logger,
    metrics: run.metrics,
    stateDir: dir,
    checkpoints: store,
    once: opts.once ?? false,
    emit: async (batch) => {
      run.records.push(...batch.records);
      run.sizes.push(batch.records.length);
      const release = batch.ack.hold();
      if (opts.hold) run.held.push(release);
      else release();
    },
  };
  const parsed = journaldSource.schema.parse({ directory: join(dir, "j"), start_at: "beginning", ...config });
  run.source = journaldSource.create(parsed, context) as JournaldSource;
  running.push(run.source);
  return run;
}

const lines = (run: Run) => run.records.map((r) => r.line);
const texts = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
const cursorOf = (store: MemoryCheckpointStore) => store.list("j").values().next().value?.cursor as string | undefined;

describe.skipIf(!haveJournalTools)("journald source", () => {
  it("makes MESSAGE the line, _HOSTNAME the host, the realtime stamp the time, and the rest fields", async () => {
    const at = Date.UTC(2026, 10, 21, 4, 15) * 1000;
    await appendJournal(
      journal,
      [
        {
          MESSAGE: "Failed password for root from 203.0.113.9 port 22 ssh2",
          SYSLOG_IDENTIFIER: "sshd",
          _SYSTEMD_UNIT: "ssh.service",
          PRIORITY: "5",
          _PID: "4242",
          _COMM: "sshd",
          MULTI: "one\ntwo",
        },
      ],
      at,
    );
    const run = open({}, new MemoryCheckpointStore(), { once: true });
    await run.source.start();
    await run.source.caughtUp();
    expect(run.records).toHaveLength(1);
    const [r] = run.records;
    expect(r).toMatchObject({
      source: "j",
      line: "Failed password for root from 203.0.113.9 port 22 ssh2",
      host: "testhost",
    });
    expect(r!.time).toBe(at / 1000);
    expect(r!.fields).toMatchObject({ unit: "ssh.service", identifier: "sshd", priority: 5, pid: 4242, _COMM: "sshd" });
    expect(r!.fields.MULTI).toBe("one\ntwo");
    expect(r!.fields).not.toHaveProperty("MESSAGE");
    expect(r!.fields).not.toHaveProperty("__CURSOR");
  });

  it("decodes a MESSAGE that is not UTF-8 (journalctl writes it as bytes), invalid bytes as U+FFFD", async () => {
    const bytes = Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x20, 0xc3, 0xa9, 0x01]);
    await appendJournal(journal, [{ MESSAGE: bytes, SYSLOG_IDENTIFIER: "app" }, { MESSAGE: "fine" }]);
    const run = open({}, new MemoryCheckpointStore(), { once: true });
    await run.source.start();
    await run.source.caughtUp();
    expect(lines(run)).toEqual([bytes.toString("utf8"), "fine"]);
    expect(lines(run)[0]).toBe("bad \ufffd\ufffd é\u0001");
  });

  it("keeps only the entries of the units, of the identifiers, or (both given) of either", async () => {
    await appendJournal(journal, [
      { MESSAGE: "a", _SYSTEMD_UNIT: "ssh.service", SYSLOG_IDENTIFIER: "sshd" },
      { MESSAGE: "b", _SYSTEMD_UNIT: "cron.service", SYSLOG_IDENTIFIER: "CRON" },
      { MESSAGE: "c", SYSLOG_IDENTIFIER: "kernel" },
      { MESSAGE: "d", _SYSTEMD_UNIT: "nginx.service", SYSLOG_IDENTIFIER: "nginx" },
    ]);
    const read = async (config: Record<string, unknown>) => {
      const run = open(config, new MemoryCheckpointStore(), { once: true });
      await run.source.start();
      await run.source.caughtUp();
      return lines(run);
    };
    expect(await read({ units: "ssh" })).toEqual(["a"]);
    expect(await read({ units: ["ssh.service", "nginx"] })).toEqual(["a", "d"]);
    expect(await read({ identifiers: ["kernel", "CRON"] })).toEqual(["b", "c"]);
    expect(await read({ units: "nginx", identifiers: "kernel" })).toEqual(["c", "d"]);
    expect(await read({ identifiers: "nobody" })).toEqual([]);
  });

  it("--once reads what is there and ends; the next --once run reads only what came since", async () => {
    const store = new MemoryCheckpointStore();
    await appendJournal(journal, messages(texts("first", 50)));
    const one = open({}, store, { once: true });
    await one.source.start();
    await one.source.caughtUp();
    await one.source.stop();
    expect(lines(one)).toEqual(texts("first", 50));
    await appendJournal(journal, messages(texts("second", 30)));
    const two = open({}, store, { once: true });
    await two.source.start();
    await two.source.caughtUp();
    await two.source.stop();
    expect(lines(two)).toEqual(texts("second", 30));
    const three = open({}, store, { once: true });
    await three.source.start();
    await three.source.caughtUp();
    expect(lines(three)).toEqual([]);
  });

  it("saves the cursor only once records are delivered: a restart repeats exactly the undelivered ones", async () => {
    const store = new MemoryCheckpointStore();
    await appendJournal(journal, messages(texts("e", 1200)));
    const one = open({ batch: 100 }, store, { hold: true });
    await one.source.start();
    await waitFor(() => one.records.length === 1200, "every entry emitted");
    expect(cursorOf(store)).toBeUndefined();
    // Deliver batches out of order: only the delivered prefix may be committed.
    one.held[3]!();
    one.held[1]!();
    await new Promise((r) => setImmediate(r));
    expect(cursorOf(store)).toBeUndefined();
    one.held[0]!();
    one.held[2]!();
    const four = one.sizes.slice(0, 4).reduce((a, b) => a + b, 0);
    await waitFor(() => store.list("j").values().next().value?.offset === four, "the first 4 batches committed");
    await appendJournal(journal, messages(texts("later", 5)));
    await waitFor(() => one.records.length === 1205, "entries written while following");
    await one.source.stop(); // the rest is never delivered
    const two = open({ batch: 100 }, store);
    await two.source.start();
    const want = [...texts("e", 1200).slice(four), ...texts("later", 5)];
    await waitFor(() => two.records.length >= want.length, "the undelivered entries again");
    await two.source.stop();
    expect(lines(two)).toEqual(want);
  });

  it("start_at end skips what the journal held, even across a restart before the first new entry", async () => {
    const store = new MemoryCheckpointStore();
    await appendJournal(journal, messages(texts("old", 20)));
    const one = open({ start_at: "end" }, store);
    await one.source.start();
    await one.source.stop();
    await appendJournal(journal, messages(texts("new", 3)));
    const two = open({ start_at: "end" }, store);
    await two.source.start();
    await waitFor(() => two.records.length >= 3, "the new entries");
    await appendJournal(journal, messages(["newer"]));
    await waitFor(() => lines(two).includes("newer"), "an entry written while following");
    expect(lines(two)).toEqual([...texts("new", 3), "newer"]);
  });

  it("start_at end on an empty journal: entries written before the restart are read, not skipped", async () => {
    const store = new MemoryCheckpointStore();
    const one = open({ start_at: "end" }, store);
    mkdirSync(join(dir, "j")); // a journal folder without files yet
    await one.source.start();
    await one.source.stop();
    await appendJournal(journal, messages(texts("meanwhile", 3)));
    const two = open({ start_at: "end" }, store);
    await two.source.start();
    await waitFor(() => two.records.length >= 3, "the entries written while stopped");
    expect(lines(two)).toEqual(texts("meanwhile", 3));
  });

  it("starts journalctl again when it dies, resuming after the last entry read, and says so", async () => {
    await appendJournal(journal, messages(texts("before", 10)));
    const run = open({}, new MemoryCheckpointStore());
    await run.source.start();
    await waitFor(() => run.records.length === 10, "the first entries");
    const pid = await waitFor(() => childJournalctl(dir), "the journalctl child");
    process.kill(pid, "SIGKILL");
    await appendJournal(journal, messages(texts("after", 10)));
    await waitFor(() => run.records.length >= 20, "entries written after the crash", 20_000);
    expect(lines(run)).toEqual([...texts("before", 10), ...texts("after", 10)]);
    expect(run.warnings).toContain("journalctl ended; starting it again after the last entry read");
    expect(await run.metrics.text()).toMatch(/journald_restarts_total\{source="j"\} 1/);
  });

  it("bounds the fields kept of an entry with very many, and counts what it left out", async () => {
    const many: Record<string, string> = { MESSAGE: "wide" };
    for (let i = 0; i < 300; i++) many[`F${i}`] = "v".repeat(100);
    await appendJournal(journal, [many]);
    const run = open({ max_fields: 10, max_field_bytes: 512 }, new MemoryCheckpointStore(), { once: true });
    await run.source.start();
    await run.source.caughtUp();
    const fields = Object.keys(run.records[0]!.fields).filter((k) => k.startsWith("F"));
    expect(fields.length).toBeLessThanOrEqual(10);
    const bytes = fields.reduce((n, k) => n + String(run.records[0]!.fields[k]).length, 0);
    expect(bytes).toBeLessThanOrEqual(512 + 30);
    expect(await run.metrics.text()).toMatch(/journald_fields_dropped_total\{source="j"\} 29\d/);
  });

  it("fails clearly when journalctl is missing, or exits with an error under --once", async () => {
    for (const start_at of ["end", "beginning"]) {
      const missing = open({ journalctl: join(dir, "no-such-journalctl"), start_at }, new MemoryCheckpointStore());
      await expect(missing.source.start()).rejects.toMatchObject({ name: "UserError", code: "SOURCE_FAILED" });
    }
    const failing = join(dir, "failing-journalctl");
    writeFileSync(failing, "#!/bin/sh\necho 'Failed to open journal: broken' >&2\nexit 1\n");
    chmodSync(failing, 0o755);
    const once = open({ journalctl: failing }, new MemoryCheckpointStore(), { once: true });
    await once.source.start();
    await expect(once.source.caughtUp()).rejects.toThrow(/exited with code 1: Failed to open journal: broken/);
    expect(once.warnings).toContain("journalctl wrote to stderr");
  });
});

/** The pid of our journalctl child reading this test's folder (found through /proc, by its command line). */
function childJournalctl(folder: string): number | undefined {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (!status.includes(`\nPPid:\t${process.pid}\n`)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmdline.includes("journalctl") && cmdline.includes(folder)) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
