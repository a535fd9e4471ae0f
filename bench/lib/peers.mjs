// Which peers are installed (grep, GoAccess, swatchdog; Fluent Bit is not in Debian), their versions, and the machine.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { which } from "./measure.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const LOGWARD_BIN = path.join(ROOT, "bin", "logward");

const firstLine = (cmd, args) => {
  try {
    return (
      execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20000 })
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l.length > 0) ?? "?"
    );
  } catch (err) {
    return `? (${String(err.message).split("\n")[0]})`;
  }
};

/** The peers the harness can drive, and those it only names. `path` is undefined when not installed. */
export function detectPeers() {
  const find = (name, ...candidates) => candidates.find((c) => fs.existsSync(c)) ?? which(name);
  const grep = find("grep", "/usr/bin/grep", "/bin/grep");
  const goaccess = find("goaccess", "/usr/bin/goaccess");
  const swatchdog = find("swatchdog", "/usr/bin/swatchdog");
  const fluentBit = find("fluent-bit", "/opt/fluent-bit/bin/fluent-bit");
  return {
    grep: { path: grep, version: grep ? firstLine(grep, ["--version"]) : undefined, install: "apt-get install grep" },
    goaccess: {
      path: goaccess,
      version: goaccess ? firstLine(goaccess, ["--version"]).replace(/\.$/, "") : undefined,
      install: "apt-get install goaccess",
    },
    swatchdog: {
      path: swatchdog,
      version: swatchdog ? firstLine(swatchdog, ["--version"]) : undefined,
      install: "apt-get install swatch",
    },
    "fluent-bit": {
      path: fluentBit,
      version: undefined,
      driven: false,
      install:
        "not packaged in Debian (upstream publishes its own apt repository); the harness does not drive it — issue 9 quotes about 1.5M lines/s (regex) and 1.8M (literal) for Fluent Bit 5.1 tail → grep → null",
    },
  };
}

/** Say which peers are missing and how to get them; the harness installs nothing. */
export function describePeers(peers) {
  const lines = [];
  for (const [name, peer] of Object.entries(peers)) {
    if (peer.driven === false)
      lines.push(`- ${name}: ${peer.path ? `found at ${peer.path}, but ` : ""}${peer.install}`);
    else if (peer.path) lines.push(`- ${name}: ${peer.version} (${peer.path})`);
    else lines.push(`- ${name}: MISSING, its cases run without it; to include it: ${peer.install}`);
  }
  return lines;
}

/** The CPU model from /proc/cpuinfo, or what Node knows. */
export function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall back to what Node knows
  }
  return os.cpus()[0]?.model ?? "?";
}

const git = (args) => {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
};

/** What the figures depend on: cores, CPU, memory, kernel, Node, logward's version and commit. */
export function describeMachine() {
  const dirty = git(["status", "--porcelain", "--", "src"]) !== "" ? " (src/ has uncommitted changes)" : "";
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: cpuModel(),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    logward: `${firstLine(process.execPath, [LOGWARD_BIN, "--version"])} at ${git(["rev-parse", "--short", "HEAD"])}${dirty}`,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}

/** True when the built CLI is there to run (npm install builds it through `prepare`). */
export function logwardBuilt() {
  return fs.existsSync(path.join(ROOT, "dist", "bundle", "logward.cjs"));
}

/**
 * Give logward's children a code-cache folder of their own, warmed by one untimed start of each command the cases
 * run. bin/start.cjs keeps one cache file per command and deletes those of other builds and Node versions: in the
 * shared folder, any other logward run in between (another checkout, another Node) made a timed run start cold.
 */
export function warmPrivateCodeCache(workDir) {
  process.env.XDG_CACHE_HOME = path.join(workDir, "xdg-cache");
  const empty = path.join(workDir, "warm-empty.log");
  fs.writeFileSync(empty, "");
  const config = path.join(workDir, "warm.json");
  const sources = { warm: { path: empty, start_at: "beginning" } };
  const rules = { warm: { source: "warm", match: "/warm/", actions: ["warm"] } };
  const actions = { warm: { type: "file", path: path.join(workDir, "warm.ndjson") } };
  fs.writeFileSync(config, JSON.stringify({ state_dir: path.join(workDir, "warm-state"), sources, rules, actions }));
  for (const args of [
    ["run", "--once", "-c", config],
    ["stats", empty, "--replay", "--json"],
  ]) {
    const r = spawnSync(process.execPath, [LOGWARD_BIN, "--log-format", "json", ...args], { encoding: "utf8" });
    if (r.status !== 0)
      throw new Error(`warming logward ${args[0]} failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
  }
}
