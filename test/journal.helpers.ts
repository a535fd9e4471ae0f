// Real journal files for the journald tests: entries in systemd's export format, written by systemd-journal-remote.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export const JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote";
export const haveJournalTools = existsSync(JOURNAL_REMOTE) && spawnSync("journalctl", ["--version"]).status === 0;
if (!haveJournalTools && process.env.CI === "true")
  throw new Error("journalctl and systemd-journal-remote (package systemd-journal-remote) are required in CI");

/** One entry: its fields (a Buffer value is written in the binary form, for bytes that are not UTF-8 text). */
export type JournalFields = Record<string, string | Buffer>;

const BOOT_ID = "0123456789abcdef0123456789abcdef";
let monotonic = 1;

/** The export format: `KEY=value` lines, or KEY, a little-endian 64-bit length and the raw bytes; a blank line ends. */
export function exportFormat(entries: JournalFields[], realtimeUs = Date.now() * 1000): Buffer {
  const parts: Buffer[] = [];
  for (const [i, fields] of entries.entries()) {
    const all: JournalFields = {
      __REALTIME_TIMESTAMP: String(realtimeUs + i),
      __MONOTONIC_TIMESTAMP: String(monotonic++),
      _BOOT_ID: BOOT_ID,
      _HOSTNAME: "testhost",
      ...fields,
    };
    for (const [key, value] of Object.entries(all)) {
      if (typeof value === "string" && !value.includes("\n")) parts.push(Buffer.from(`${key}=${value}\n`));
      else {
        const bytes = Buffer.from(value);
        const size = Buffer.alloc(8);
        size.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(`${key}\n`), size, bytes, Buffer.from("\n"));
      }
    }
    parts.push(Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

/** Append entries to a journal file (made when missing; the name must end in .journal). */
export async function appendJournal(file: string, entries: JournalFields[], realtimeUs?: number): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const child = spawn(JOURNAL_REMOTE, [`--output=${file}`, "-"], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.on("error", () => {}); // its exit code and stderr tell why
  child.stdin.end(exportFormat(entries, realtimeUs));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`systemd-journal-remote exited with ${code}: ${stderr}`);
}

/** Entries whose MESSAGE is each of the texts. */
export function messages(texts: string[], fields: JournalFields = {}): JournalFields[] {
  return texts.map((MESSAGE) => ({ MESSAGE, ...fields }));
}
