// The daemon under attack: `logward run` as a real process with a web view on 127.0.0.1, two file sources, and
// rules on the second one (exec and file actions) whose firing shows the daemon still works while the first is attacked.
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { LOGWARD, readLines, waitFor } from "../helpers.js";

export const TOKEN = "hostile-test-token";

export interface Daemon {
  pid: number;
  url: string;
  dir: string;
  /** Authorization header for the web API. */
  auth: Record<string, string>;
  stderr(): string;
  /** Appends a line to the attacked source (app.log). */
  appendApp(text: string): void;
  /** Appends "ALERT <id>" to the other source and waits until both its exec and file actions have acted on it. */
  provesAlive(id: string, timeoutMs?: number): Promise<void>;
  /** Resident memory now and at its peak, in MB (from /proc). */
  memory(): { rssMb: number; peakMb: number };
  /** GET a path of the web server; status, body and how long it took. */
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: string; ms: number }>;
  /** A counter or gauge from /metrics, named without the logward_ prefix; fails when absent. */
  metric(name: string): Promise<number>;
  /** SIGTERM, and the exit code; fails when it does not exit within the deadline. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface DaemonOptions {
  /** Extra keys of the web section, e.g. "max_connections: 100". */
  web?: string;
  /** `ulimit -n` for the daemon. */
  maxFiles?: number;
}

export async function startDaemon(dir: string, options: DaemonOptions = {}): Promise<Daemon> {
  const app = join(dir, "app.log");
  const other = join(dir, "other.log");
  writeFileSync(app, "");
  writeFileSync(other, "");
  const config = join(dir, "logward.yaml");
  writeFileSync(
    config,
    [
      `state_dir: ${dir}/state`,
      "sources:",
      `  app: { path: "${app}" }`,
      `  other: { path: "${other}" }`,
      "rules:",
      "  alert: { source: other, match: ALERT, actions: [run, archive] }",
      "actions:",
      `  run: { type: exec, cwd: "${dir}", command: 'echo "$$LOGWARD_LINE" >> exec.out' }`,
      `  archive: { type: file, path: "${dir}/events.ndjson" }`,
      `web: { listen: "127.0.0.1:0", token: ${TOKEN}${options.web ? `, ${options.web}` : ""} }`,
    ].join("\n"),
  );
  const args = [LOGWARD, "--log-format", "json", "run", "-c", config];
  const limit = options.maxFiles ? `ulimit -n ${options.maxFiles} && ` : "";
  const child = spawn("/bin/sh", ["-c", `${limit}exec "$0" "$@"`, process.execPath, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await waitFor(
    () => /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"web UI listening"/.exec(err)?.[1],
    `the web server; stderr:\n${err}`,
    20_000,
  );
  await waitFor(() => err.includes('"msg":"logward running"'), `the daemon running; stderr:\n${err}`, 20_000);
  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = (path: string, timeoutMs = 10_000) => request(`${url}${path.replace(/^\//, "")}`, auth, timeoutMs);
  return {
    pid: child.pid as number,
    url,
    dir,
    auth,
    stderr: () => err,
    appendApp: (text) => appendFileSync(app, text),
    async provesAlive(id, timeoutMs = 15_000) {
      appendFileSync(other, `ALERT ${id}\n`);
      const acted = (file: string) => readLines(join(dir, file)).some((l) => l.includes(`ALERT ${id}`));
      await waitFor(() => acted("exec.out") && acted("events.ndjson"), `both actions on ALERT ${id}`, timeoutMs);
    },
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
      return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
    },
    get,
    async metric(name) {
      const { body } = await get("/metrics");
      const m = new RegExp(`^logward_${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(body);
      if (!m) throw new Error(`no logward_${name} in /metrics`);
      return Number(m[1]);
    },
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no exit ${timeoutMs} ms after SIGTERM`)), timeoutMs).unref(),
      );
      return Promise.race([exited, timer]).catch((e: unknown) => {
        child.kill("SIGKILL");
        throw e;
      });
    },
  };
}

/** One GET on a fresh connection (no agent), timed. */
export function request(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Polls /healthz back to back until stop() is called; the latencies and any failure. */
export function watchHealth(daemon: Daemon): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { status, ms } = await daemon.get("/healthz", 2_000);
      if (status !== 200) throw new Error(`/healthz answered ${status}`);
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  loop.catch(() => {}); // reported by stop(); a test that fails before calling it leaves no unhandled rejection
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}
