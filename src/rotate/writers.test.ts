// Finding the processes that hold a file open for writing: real processes in /proc, and a planted /proc tree.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, waitFor } from "./testing/harness.js";
import { findWriters } from "./writers.js";

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = tempDir("logward-writers-");
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A child that opens `file` with `flags` and keeps it open; resolves once it has. */
async function holder(file: string, flags: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `require("fs").openSync(process.argv[1], process.argv[2]); console.log("open"); setInterval(() => {}, 1e6)`,
      file,
      flags,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes("open"), "the child to open the file");
  return child;
}

const hasProc = fs.existsSync("/proc/self/fdinfo");

describe.skipIf(!hasProc && process.env.CI !== "true")("findWriters on this host's /proc", () => {
  it(
    "names the writers (append or read-write), not the readers, " + "and finds a file through a link in its path",
    async () => {
      const file = path.join(dir, "app.log");
      const other = path.join(dir, "other.log");
      fs.writeFileSync(file, "");
      fs.writeFileSync(other, "");
      const appender = await holder(file, "a");
      const readWriter = await holder(file, "r+");
      await holder(file, "r");
      await holder(other, "r");
      fs.symlinkSync(dir, `${dir}-link`);
      try {
        const linked = path.join(`${dir}-link`, "app.log");
        const scan = await findWriters([linked, other]);
        expect(scan.visible).toBe(true);
        const pids = (scan.byPath.get(linked) ?? []).map((w) => w.pid).sort();
        expect(pids).toEqual([appender.pid, readWriter.pid].sort());
        // Its command name as the kernel has it ("node", or "MainThread" on Node 24, which names its main thread).
        const comm = fs.readFileSync(`/proc/${appender.pid}/comm`, "utf8").trim();
        expect(scan.byPath.get(linked)?.[0]?.comm).toBe(comm);
        expect(scan.byPath.has(other)).toBe(false);
      } finally {
        fs.unlinkSync(`${dir}-link`);
      }
    },
  );
});

describe("findWriters on a planted /proc tree", () => {
  it("reads fd links and fdinfo flags, and passes over what is missing or unreadable", async () => {
    const proc = path.join(dir, "proc");
    const file = path.join(dir, "app.log");
    fs.writeFileSync(file, "");
    const fake = (pid: string, fds: Record<string, string | undefined>, comm?: string): void => {
      fs.mkdirSync(path.join(proc, pid, "fd"), { recursive: true });
      fs.mkdirSync(path.join(proc, pid, "fdinfo"), { recursive: true });
      if (comm) fs.writeFileSync(path.join(proc, pid, "comm"), `${comm}\n`);
      for (const [fd, flags] of Object.entries(fds)) {
        fs.symlinkSync(file, path.join(proc, pid, "fd", fd));
        if (flags) fs.writeFileSync(path.join(proc, pid, "fdinfo", fd), `pos:\t0\nflags:\t${flags}\nmnt_id:\t1\n`);
      }
    };
    fake("100", { "3": "0100000" }, "reader");
    fake("101", { "3": "02102001" }, "appender");
    fake("102", { "4": "0100002" });
    fake("103", { "5": undefined }, "closed-meanwhile");
    fs.mkdirSync(path.join(proc, "104")); // no fd folder (a process that exited, or one we may not read)
    fs.mkdirSync(path.join(proc, "self-not-a-pid"));
    const scan = await findWriters([file], proc);
    expect(scan).toEqual({
      visible: true,
      byPath: new Map([
        [
          file,
          [
            { pid: 101, comm: "appender" },
            { pid: 102, comm: "?" },
          ],
        ],
      ]),
    });
  });

  it("without a readable /proc nothing is known (visible: false)", async () => {
    expect(await findWriters([path.join(dir, "x")], path.join(dir, "no-proc"))).toEqual({
      visible: false,
      byPath: new Map(),
    });
  });
});
