// End to end: the exec action's warm spare shell under `logward run` — visible while running, used by the next
// event, gone after stop; `run --once` exits with no spare left behind.
import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, runLogward, startLogward, tempDir, waitFor } from "./helpers.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** `$$` is a literal `$` in the config (interpolation), so the command writes its shell's pid and the line. */
function writeConfig(): string {
  const path = join(dir, "logward.yaml");
  writeFileSync(
    path,
    [
      `state_dir: ${dir}/state`,
      `sources: { app: { path: "${dir}/app.log", start_at: beginning } }`,
      "rules: { live: { source: app, match: LIVE, actions: [act] } }",
      `actions: { act: { type: exec, cwd: "${dir}", command: 'echo "$$$$ $$LOGWARD_LINE" >> out' } }`,
    ].join("\n"),
  );
  return path;
}

/** Pids of the spare shells waiting in our folder (their cwd), read from /proc. */
function sparesIn(folder: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes("read -r LOGWARD_RULE && . /dev/fd/3") && readlinkSync(`/proc/${entry}/cwd`) === folder)
        pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

describe.skipIf(process.platform !== "linux")("exec spare shell", () => {
  it("run --once runs the commands and exits with no spare shell left", async () => {
    writeFileSync(join(dir, "app.log"), "a LIVE 1\nb\nc LIVE 2\n");
    const r = await runLogward(["run", "-c", writeConfig(), "--once", "--log-format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "out"), "utf8")).toMatch(/^\d+ a LIVE 1\n\d+ c LIVE 2\n$/);
    expect(sparesIn(dir)).toEqual([]);
  });

  it("run keeps one spare shell, hands the next event to it, and removes it on stop", async () => {
    writeFileSync(join(dir, "app.log"), "");
    const logward = startLogward(["run", "-c", writeConfig()]);
    try {
      await logward.waitForLog("logward running");
      const [spare] = await waitFor(() => (sparesIn(dir).length === 1 ? sparesIn(dir) : undefined), "one spare shell");
      appendFileSync(join(dir, "app.log"), "x LIVE 3\n");
      const out = await waitFor(() => {
        try {
          return readFileSync(join(dir, "out"), "utf8") || undefined;
        } catch {
          return undefined;
        }
      }, "the command's output");
      expect(out).toBe(`${spare} x LIVE 3\n`);
      await waitFor(() => sparesIn(dir).some((pid) => pid !== spare) || undefined, "the next spare shell");
    } finally {
      expect(await logward.stop()).toBe(0);
    }
    expect(sparesIn(dir)).toEqual([]);
  });

  it("an idle spare does not keep its process alive, and exits with it", async () => {
    const spareModule = pathToFileURL(join(ROOT, "dist/actions/exec/spare.js")).href;
    const script = [
      `const { SpareShells } = await import(${JSON.stringify(spareModule)});`,
      "const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };",
      `const spares = new SpareShells({ shell: "/bin/sh", cwd: ${JSON.stringify(dir)}, env: process.env }, log);`,
      "spares.prime();",
      "const poll = () => (spares.readyPid ? console.log(spares.readyPid) : setTimeout(poll, 20));",
      "poll();",
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, "the process to end by itself");
    } finally {
      child.kill("SIGKILL"); // a no-op once it has exited
    }
    expect(await exited).toBe(0);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !sparesIn(dir).includes(pid), "the orphaned spare to exit");
  });
});
