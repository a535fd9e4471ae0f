// logward's own log (`log: { file }`): reopened on SIGHUP, and rotated by a rotate job of the same daemon
// without losing a line (a real `logward run`; needs `npm run build`).
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArchiveName, compareNewestFirst } from "../src/rotate/naming.js";
import { startLogward, tempDir, waitFor, type Running } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let running: Running | undefined;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("logward-own-log-"));
  dir = fs.realpathSync(dir);
  fs.mkdirSync(path.join(dir, "logs"));
  fs.writeFileSync(path.join(dir, "logs", "app.log"), "");
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  cleanup();
});

const HUP_MSG = "SIGHUP: reopening files and reloading the configuration";

function writeConfig(logFile: string, rotate = ""): string {
  const config = path.join(dir, "logward.yaml");
  const lines = [
    `state_dir: ${dir}/state`,
    `log: { file: ${logFile}, level: info }`,
    `sources:`,
    `  app: { path: ${dir}/logs/app.log }`,
    rotate,
    ``,
  ];
  fs.writeFileSync(config, lines.join("\n"));
  return config;
}

/** The messages of the JSON lines in a log file (plain or gzipped). */
function messages(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const text = file.endsWith(".gz")
    ? gunzipSync(fs.readFileSync(file)).toString("utf8")
    : fs.readFileSync(file, "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => String((JSON.parse(l) as { msg: unknown }).msg));
}

/** Messages of the archived logs (oldest first; a plain archive only while its .gz is not there yet) and the live log. */
function allMessages(archiveDir: string, live: string): string[] {
  const names = fs.existsSync(archiveDir) ? fs.readdirSync(archiveDir) : [];
  const archives = names
    .flatMap((n) => parseArchiveName("logward.log", n) ?? [])
    .sort((a, b) => compareNewestFirst(b, a));
  const chosen = archives.filter((a) => a.gz || !names.includes(`${a.name}.gz`));
  const out: string[] = [];
  for (const a of chosen) {
    try {
      out.push(...messages(path.join(archiveDir, a.name)));
    } catch {
      // moved or half-written between listing and reading: the next poll sees it settled
    }
  }
  return [...out, ...messages(live)];
}

describe("logward's own log file", () => {
  it("is reopened on SIGHUP, so a logrotate-style rename then HUP moves logging to the new file", async () => {
    const log = path.join(dir, "logward.log");
    running = startLogward(["run", "-c", writeConfig(log)]);
    await waitFor(() => messages(log).includes("logward running"), "logward running in its log file", 20_000);
    expect(running.stderr()).toBe(""); // everything goes to the file

    fs.renameSync(log, `${log}.1`);
    running.child.kill("SIGHUP");
    await waitFor(() => messages(log).includes(HUP_MSG), "the SIGHUP line in the new log file", 20_000);
    expect(await running.stop()).toBe(0);
    running = undefined;

    expect(messages(`${log}.1`)).toContain("logward running");
    expect(messages(`${log}.1`)).not.toContain(HUP_MSG);
    expect(messages(log)).toEqual(expect.arrayContaining([HUP_MSG, "logward stopped"]));
  }, 60_000);

  it("is rotated by a rotate job of the same daemon: archives appear, the new file gets the new lines, none is lost", async () => {
    const log = path.join(dir, "logward.log");
    const archive = path.join(dir, "archive");
    const rotate = `rotate:\n  own: { path: ${log}, archive_dir: ${archive}, max_size: 1KB, compress: true, check_every: 1s, rotate_wait: 1s }`;
    running = startLogward(["--log-level", "debug", "run", "-c", writeConfig(log, rotate)]);
    await waitFor(() => allMessages(archive, log).includes("logward running"), "logward running in its log", 20_000);

    // Each SIGHUP writes one line; the debug lines of each rotation add more, so the log keeps passing max_size.
    let sent = 0;
    const hups = (): number => allMessages(archive, log).filter((m) => m === HUP_MSG).length;
    while (sent < 40 || fs.readdirSync(archive).filter((n) => n.endsWith(".gz")).length < 3) {
      if (sent >= 400) throw new Error(`no 3 archives after ${sent} SIGHUPs; logward said:\n${running.stderr()}`);
      running.child.kill("SIGHUP");
      sent++;
      await waitFor(() => hups() >= sent, `SIGHUP line ${sent} in the log`, 20_000);
    }
    const rotations = allMessages(archive, log).filter((m) => m === "rotate: rotate").length;
    expect(await running.stop()).toBe(0);
    running = undefined;

    const all = allMessages(archive, log);
    expect(all.filter((m) => m === HUP_MSG)).toHaveLength(sent); // every line written once: none went to a compressed-away file
    expect(all.filter((m) => m === "log file reopened after its rotation").length).toBeGreaterThanOrEqual(rotations);
    // Each rotation logs its compression once it is done: that line went to the new file, not the compressed one.
    const archives = fs.readdirSync(archive).filter((n) => n.endsWith(".gz"));
    expect(all.filter((m) => m === "rotate: compress")).toHaveLength(archives.length);
    expect(all.filter((m) => m === "logward stopped")).toHaveLength(1); // (a rotation under way at stop logs after it)
    expect(messages(log).length).toBeGreaterThan(0); // the file at the path is the one written to
    // Only the newest rotations can still be uncompressed: within rotate_wait at the stop (the next start does them).
    const plain = fs
      .readdirSync(archive)
      .flatMap((n) => (n.endsWith(".gz") ? [] : (parseArchiveName("logward.log", n) ?? [])));
    const newestGz = Math.max(...archives.map((n) => parseArchiveName("logward.log", n)?.stampMs ?? Infinity));
    expect(plain.filter((a) => a.stampMs < newestGz)).toEqual([]);
    expect(all.filter((m) => m.startsWith("rotated file still open for writing"))).toEqual([]);
  }, 120_000);
});
