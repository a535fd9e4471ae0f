// The pieces bench/fleet.mjs runs: nats-server on a free port, `logward run` processes, output trackers, the machine.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { cpuModel } from "./lib/peers.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOGWARD = path.join(ROOT, "bin", "logward");

/** The nats-server binary: Debian's, or the first on PATH. */
export function findNatsServer() {
  const candidates = [
    "/usr/sbin/nats-server",
    ...(process.env.PATH ?? "").split(":").map((dir) => path.join(dir, "nats-server")),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error("nats-server not found: apt-get install nats-server (or put it on PATH)");
  return found;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** nats-server with JetStream stored in storeDir, on a free port; resolves once it is ready. */
export async function startNatsServer(bin, storeDir) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(bin, storeDir, port);
    } catch (err) {
      if (attempt >= 5) throw err; // another process may have taken the port first
    }
  }
}

function launch(bin, storeDir, port) {
  const child = spawn(bin, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`nats-server not ready after 20 s:\n${output}`)), 20_000);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    const onData = (data) => {
      output += data.toString();
      if (output.includes("Server is ready")) {
        clearTimeout(timer);
        resolve({ url: `nats://127.0.0.1:${port}`, stop, pid: child.pid });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => fail(new Error(`nats-server exited with ${code}:\n${output}`)));
  });
}

/** `logward run -c FILE` with the config written beside it; the tail of its stderr kept for a failure report. */
export function startLogward(dir, name, configLines) {
  const config = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(config, configLines.join("\n") + "\n");
  return startNode(name, [LOGWARD, "--log-format", "json", "run", "-c", config]);
}

/** bench/fleet-publisher.mjs with these arguments (the minimal nats.js publisher). */
export function startPublisher(args) {
  return startNode("publisher", [path.join(ROOT, "bench", "fleet-publisher.mjs"), ...args.map(String)]);
}

function startNode(name, args) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  return {
    name,
    pid: child.pid,
    stderr: () => stderr,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Follows one analyser's NDJSON output incrementally, marking each event number it holds in `seen`. */
export class OutputTracker {
  constructor(file, seen) {
    this.file = file;
    this.seen = seen;
    this.offset = 0;
    this.carry = "";
    this.lines = 0;
    this.fresh = 0;
  }

  /** Reads what was appended since the last poll; returns how many numbers were new. */
  poll() {
    let fd;
    try {
      fd = fs.openSync(this.file, "r");
    } catch {
      return 0; // not written yet
    }
    let fresh = 0;
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, this.offset)) > 0;) {
        this.offset += read;
        const lines = (this.carry + buffer.toString("utf8", 0, read)).split("\n");
        this.carry = lines.pop() ?? "";
        for (const line of lines) fresh += this.mark(line);
      }
    } finally {
      fs.closeSync(fd);
    }
    this.fresh += fresh;
    return fresh;
  }

  mark(line) {
    this.lines++;
    const match = /: event (\d+) /.exec(line);
    if (!match) throw new Error(`${this.file}: unexpected output line ${line.slice(0, 200)}`);
    const n = Number(match[1]);
    if (this.seen[n]) return 0;
    this.seen[n] = 1;
    return 1;
  }
}

let ticksPerSecond;

/** CPU seconds (user + system) a running process has used so far, from /proc (0 once it is gone). */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticksPerSecond ??= Number(firstLine("getconf", ["CLK_TCK"])) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run fn with a JetStream manager on a short-lived connection. */
export async function withJsm(url, fn) {
  const nc = await connect({ servers: url });
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** Poll check(jsm) every 50 ms until it is true; fails after timeoutMs saying what it waited for. */
export function waitForJs(url, check, what, timeoutMs) {
  return withJsm(url, async (jsm) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check(jsm).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await sleep(50);
    }
  });
}

const firstLine = (cmd, args, cwd) => {
  try {
    return (
      execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 20_000 })
        .trim()
        .split("\n")[0] ?? "?"
    );
  } catch {
    return "?";
  }
};

/** What the figures depend on: cores, CPU, memory, kernel, Node, nats-server, logward's version and commit. */
export function describeFleetMachine(root, natsServer) {
  const dirty =
    firstLine("git", ["status", "--porcelain", "--", "src"], root) === "" ? "" : " (src/ has uncommitted changes)";
  return {
    nproc: firstLine("nproc", []),
    cpu: cpuModel(),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    natsServer: firstLine(natsServer, ["--version"]),
    logward: `${firstLine(process.execPath, [path.join(root, "bin", "logward"), "--version"])} at ${firstLine("git", ["rev-parse", "--short", "HEAD"], root)}${dirty}`,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}
