// Crash safety of rotation: a real child process is SIGKILLed between steps (LOGWARD_ROTATE_CRASH_AT);
// afterwards the data is whole in the live file or in a complete archive, and the next run cleans up.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
let outDir: string;
let child: string;

// Compile the child (and only what it imports) with tsc, inside the repo so it resolves node_modules.
beforeAll(() => {
  fs.mkdirSync(path.join(root, "node_modules", ".cache"), { recursive: true });
  outDir = fs.mkdtempSync(path.join(root, "node_modules", ".cache", "logward-rotate-crash-"));
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(
    process.execPath,
    [
      tsc,
      "--outDir",
      outDir,
      "--rootDir",
      path.join(root, "src"),
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      "--target",
      "ES2022",
      "--strict",
      "--skipLibCheck",
      "--types",
      "node",
      path.join(root, "src/rotate/testing/crash-child.ts"),
    ],
    { cwd: root, stdio: "pipe" },
  );
  child = path.join(outDir, "rotate", "testing", "crash-child.js");
}, 120_000);
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

function runChild(
  jobs: Record<string, unknown>,
  stateDir: string,
  crashAt?: string,
): { signal: NodeJS.Signals | null; status: number | null } {
  const env = { ...process.env, LOGWARD_ROTATE_CRASH_AT: crashAt ?? "" };
  const result = spawnSync(process.execPath, [child, JSON.stringify(jobs), stateDir], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (!crashAt && result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return { signal: result.signal, status: result.status };
}

/** Every copy of the data that is whole: the live file, plain archives, and .gz files that gunzip. */
function wholeCopies(dirs: string[], data: Buffer): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (!fs.statSync(full).isFile() || name.endsWith(".logward-tmp") || name.startsWith(".")) continue;
      let bytes = fs.readFileSync(full);
      if (name.endsWith(".gz")) {
        try {
          bytes = gunzipSync(bytes);
        } catch {
          continue;
        }
      }
      if (bytes.equals(data)) found.push(path.relative(path.dirname(dirs[0] as string), full));
    }
  }
  return found;
}

interface Scenario {
  step: string;
  method?: "rename" | "copytruncate";
  compress?: boolean;
  otherFs?: boolean;
}

const scenarios: Scenario[] = [
  { step: "rotate:renamed" },
  { step: "rotate:created" },
  { step: "compress:partial", compress: true },
  { step: "compress:written", compress: true },
  { step: "compress:renamed", compress: true },
  { step: "copy:partial", method: "copytruncate" },
  { step: "copy:written", method: "copytruncate", compress: true },
  { step: "copy:renamed", method: "copytruncate", compress: true },
  { step: "move:copied", otherFs: true },
  { step: "move:copied", method: "copytruncate", otherFs: true },
];

const shmUsable = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").dev !== fs.statSync(os.tmpdir()).dev;

describe("a crash at any step of a rotation", () => {
  for (const s of scenarios) {
    it.skipIf(s.otherFs && !shmUsable)(
      `${s.step} (${s.method ?? "rename"}${s.compress ? ", compress" : ""}) leaves the data whole and the next run recovers`,
      () => {
        const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "logward-crash-")));
        const archives = s.otherFs
          ? fs.mkdtempSync(path.join("/dev/shm", "logward-crash-"))
          : path.join(work, "archive");
        try {
          const logs = path.join(work, "logs");
          fs.mkdirSync(logs);
          const file = path.join(logs, "app.log");
          const data = randomBytes(3 * 1024 * 1024);
          fs.writeFileSync(file, data);
          const jobs = {
            app: {
              path: file,
              rotate_wait: 0, // compressed and moved in the same pass: every step's crash point is reached
              archive_dir: archives,
              max_size: "1MiB",
              compress: s.compress ?? false,
              method: s.method ?? "rename",
            },
          };
          const state = path.join(work, "state");

          expect(runChild(jobs, state, s.step).signal).toBe("SIGKILL");
          expect(wholeCopies([logs, archives], data).length).toBeGreaterThanOrEqual(1);

          if (!fs.existsSync(file)) fs.writeFileSync(file, ""); // killed before creating it: the app's next write would
          runChild(jobs, state);
          const names = [...fs.readdirSync(logs), ...fs.readdirSync(archives)];
          expect(names.filter((n) => n.endsWith(".logward-tmp") || n.endsWith("-lock"))).toEqual([]);
          expect(fs.readdirSync(logs)).toEqual(["app.log"]);
          expect(fs.statSync(file).size).toBe(0); // rotated, by the killed run or by the next one
          // Exactly one archive holds it; only copytruncate killed after the copy but before the
          // truncate keeps it twice (the next run copies the untruncated file again): duplicated, never lost.
          expect(wholeCopies([archives], data)).toHaveLength(s.step === "copy:renamed" ? 2 : 1);
          if (s.compress) expect(fs.readdirSync(archives).every((n) => n.endsWith(".gz"))).toBe(true);
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
          if (s.otherFs) fs.rmSync(archives, { recursive: true, force: true });
        }
      },
    );
  }
});

describe("two processes rotating the same file at once", () => {
  it("rotate it exactly once: the lock keeps them apart", async () => {
    const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "logward-race-")));
    try {
      const file = path.join(work, "app.log");
      const data = randomBytes(4 * 1024 * 1024);
      fs.writeFileSync(file, data);
      const jobs = JSON.stringify({
        app: { path: file, max_size: "1MiB", compress: true, compress_level: 9, rotate_wait: 0 },
      });
      const run = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const p = spawn(process.execPath, [child, jobs, path.join(work, "state")], {
            stdio: ["ignore", "pipe", "inherit"],
          });
          let out = "";
          p.stdout.on("data", (d: Buffer) => (out += d.toString()));
          p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
        });
      const plans = (await Promise.all([run(), run()])).map(
        (out) => (JSON.parse(out) as { rotate: boolean; reason: string }[])[0],
      );
      expect(plans.filter((p) => p?.rotate)).toHaveLength(1);
      const archives = fs.readdirSync(work).filter((n) => n.endsWith(".gz"));
      expect(archives).toHaveLength(1);
      expect(gunzipSync(fs.readFileSync(path.join(work, archives[0] as string))).equals(data)).toBe(true);
      expect(fs.statSync(file).size).toBe(0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
