// Web figures of issue 9 on a real `logward run`: one headless Chromium at 50k lines/s, and append → SSE latency.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
/* global document -- in page.evaluate callbacks, which run in the browser */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEFAULT_BIN = path.join(ROOT, "bin", "logward");
const SOURCE = "app.log";
/** web.client_buffer's default: the bound on one browser's queue. */
const CLIENT_BUFFER = 4 * 1024 * 1024;
const P99_TARGET_MS = 2;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const k = (n) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n));
/** Exact counts, with thousands separators. */
const ms = (v) => v.toFixed(2);
const count = (n) => Math.round(n).toLocaleString("en-US");

/**
 * Both web measurements; rows for the lead's targets table (met: null marks a figure that has no target of its own).
 * `seconds`: how long to append at `rate` with the browser open; the latency run appends `latencyRate` lines/s.
 * `clientBuffer`: the config's web.client_buffer in bytes (default: the config default, 1 MiB).
 */
export async function measureWeb({
  logwardBin = DEFAULT_BIN,
  chromium = "/usr/bin/chromium",
  seconds = 30,
  rate = 50_000,
  latencySeconds = 10,
  latencyRate = 200,
  clientBuffer = CLIENT_BUFFER,
  sources = 1,
  log = () => {},
} = {}) {
  const notes = [];
  log(
    `web: ${k(rate)} lines/s for ${seconds} s into headless Chromium (${chromium}), client_buffer ${clientBuffer / 1024} KiB`,
  );
  const t = await measureThroughput({ logwardBin, chromium, seconds, rate, clientBuffer, sources, log });
  if (sources > 1) return allSourcesFigures(t, { rate, seconds, sources, clientBuffer });
  log(`web: append → SSE latency, ${latencyRate} lines/s for ${latencySeconds} s`);
  const lw = await measureLatency({ logwardBin, seconds: latencySeconds, rate: latencyRate });
  const [lf, ls] = [lw.start, lw.steady];
  const keptUp = t.dropped === 0 && t.received === t.appended;
  const rows = [
    {
      case: `web: one browser at ${k(rate)} lines/s for ${seconds} s`,
      measured: `${count(t.received)} of ${count(t.appended)} lines received (${k(t.received / t.appendSeconds)} lines/s), ${count(t.dropped)} dropped`,
      target: `keeps up with ${k(rate)} lines/s: nothing dropped`,
      met: keptUp,
    },
    {
      case: "web: the server's per-client queue",
      measured: `peak ${(t.queuePeakBytes / 1024).toFixed(0)} KiB`,
      target: `bounded: client_buffer (${clientBuffer / 1024} KiB) + one event`,
      met: t.queuePeakBytes <= clientBuffer + 256 * 1024,
    },
    {
      case: "web: server peak RSS at that rate",
      measured: `${t.serverPeakRssMB.toFixed(0)} MB`,
      target: "(figure)",
      met: null,
    },
    {
      case: "web: page lag",
      measured:
        `at most ${count(t.maxPageLag)} lines behind the file (sampled each second); ` +
        (t.caughtUpMs === undefined
          ? "never caught up"
          : `had the last line ${Math.round(t.caughtUpMs)} ms after the appending stopped`),
      target: "(figure)",
      met: null,
    },
    {
      case: `web: append → SSE client, steady (${latencyRate} lines/s, ${latencySeconds} s, after ${lw.warmup + ls.count / ls.p99PerRun.length} lines; ${ls.p99PerRun.length} runs)`,
      measured: `p99 ${ms(ls.p99)} ms (median of the runs' p99: ${ls.p99PerRun.map(ms).join(" / ")}), p50 ${ms(ls.p50)} ms, max ${ms(ls.max)} ms (${ls.count} of ${ls.appended} lines)`,
      target: `p99 ≤ ${P99_TARGET_MS} ms`,
      met: ls.count === ls.appended && ls.p99 <= P99_TARGET_MS,
    },
    {
      case: `web: append → SSE client, just started (the ${latencyRate * latencySeconds} lines after the first ${lw.warmup}, while V8 compiles)`,
      measured: `p99 ${ms(lf.p99)} ms (${lf.p99PerRun.map(ms).join(" / ")}), p50 ${ms(lf.p50)} ms, max ${ms(lf.max)} ms (${lf.count} of ${lf.appended} lines)`,
      target: "(figure)",
      met: null,
    },
  ];
  const shown =
    t.shownMs === undefined
      ? "never showed the last line"
      : `showed the last line as its last row ${Math.round(t.shownMs)} ms after it was appended`;
  notes.push(`browser: ${shown}; ${t.displayed} rows on the page at the end; its status bar: "${t.status}"`);
  notes.push(
    `CPU over the ${t.appendSeconds.toFixed(1)} s run and the catch-up: logward ${t.serverCpuSeconds.toFixed(1)} s, Chromium (all its processes) ${t.browserCpuSeconds.toFixed(1)} s; lines sent ${k(t.sent)}`,
  );
  return { rows, notes, throughput: t, latency: lw };
}

/** The rows of the all-sources run: the page on `#source=*` while `sources` files are appended to in turn. */
function allSourcesFigures(t, { rate, seconds, sources, clientBuffer }) {
  const rows = [
    {
      case: `web: one browser on the all-sources view, ${sources} files at ${k(rate)} lines/s together for ${seconds} s`,
      measured: `${count(t.received)} of ${count(t.appended)} lines received (${k(t.received / t.appendSeconds)} lines/s), ${count(t.dropped)} dropped; at most ${count(t.maxPageLag)} lines behind`,
      target: `keeps up with ${k(rate)} lines/s: nothing dropped`,
      met: t.dropped === 0 && t.received === t.appended,
    },
    {
      case: "web: the server's per-client queue (all sources)",
      measured: `peak ${(t.queuePeakBytes / 1024).toFixed(0)} KiB`,
      target: `bounded: client_buffer (${clientBuffer / 1024} KiB) + one event`,
      met: t.queuePeakBytes <= clientBuffer + 256 * 1024,
    },
  ];
  const notes = [
    `browser: ${t.shownMs === undefined ? "never showed the last line" : `showed the last line ${Math.round(t.shownMs)} ms after it was appended`}; CPU: logward ${t.serverCpuSeconds.toFixed(1)} s, Chromium ${t.browserCpuSeconds.toFixed(1)} s; server peak RSS ${t.serverPeakRssMB.toFixed(0)} MB`,
  ];
  return { rows, notes, throughput: t };
}

/** The file sources of a run: app.log alone, or app-1.log ... app-N.log for the all-sources view. */
const sourceNames = (sources) =>
  sources > 1 ? Array.from({ length: sources }, (_, i) => `app-${i + 1}.log`) : [SOURCE];

/**
 * `logward run -c CONFIG` with file sources (app.log, or `sources` of them, from their end) and a web section on
 * 127.0.0.1:0, as a direct child (so its pid is node's); resolves once it logs its URL.
 */
async function startLogward(logwardBin, dir, clientBuffer, sources = 1) {
  const names = sourceNames(sources);
  for (const name of names) fs.writeFileSync(path.join(dir, name), "");
  const config = path.join(dir, "logward.yaml");
  const sourceEntries = names.map((n) => `${n}: { path: ${JSON.stringify(path.join(dir, n))}, start_at: end }`);
  fs.writeFileSync(
    config,
    [
      `state_dir: ${JSON.stringify(path.join(dir, "state"))}`,
      `sources: { ${sourceEntries.join(", ")} }`,
      `web: { listen: "127.0.0.1:0", auth: none, client_buffer: ${clientBuffer} }`,
    ].join("\n") + "\n",
  );
  const child = spawn(process.execPath, [logwardBin, "run", "-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`logward run logged no URL in 20 s: ${stderr}`));
    }, 20_000);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const m = /"url":"(http:\/\/[^"]+)".*web UI listening/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`logward run exited (${code}): ${stderr}`)));
  });
  return {
    url,
    pid: child.pid,
    /** Peak RSS (VmHWM) and CPU seconds so far, from /proc. */
    usage() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      return {
        peakRssMB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
        cpuSeconds: cpuSecondsOf(child.pid)?.cpu ?? NaN,
      };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000).then(() => child.kill("SIGKILL"))]);
    },
  };
}

/** user+sys CPU seconds of a process, from /proc/PID/stat (clock ticks: 100 per second on Linux). */
function cpuSecondsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return undefined; // gone
  }
}

/** CPU seconds of this process's descendants other than `except` (the browser: playwright starts chromium as our child). */
function browserCpuSeconds(except) {
  const procs = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const info = cpuSecondsOf(Number(name));
    if (info) procs.set(Number(name), info);
  }
  const ours = (pid) => {
    for (let p = pid; p > 1; p = procs.get(p)?.ppid ?? 0) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, info] of procs) if (pid !== process.pid && pid !== except && ours(pid)) total += info.cpu;
  return total;
}

/**
 * Appends lines to a file at a fixed rate, in one write per tick of whatever is due (a tick every ~2–4 ms); given
 * several files, each tick writes to the next one in turn.
 */
function startAppender(files, rate, lineFor) {
  const fds = [files].flat().map((file) => fs.openSync(file, "a"));
  const started = now();
  let written = 0;
  let ticks = 0;
  const tick = () => {
    const due = Math.floor(((now() - started) / 1000) * rate) - written;
    if (due <= 0) return;
    let text = "";
    for (let i = 0; i < due; i++) text += lineFor(++written) + "\n";
    fs.writeSync(fds[ticks++ % fds.length], text);
  };
  const timer = setInterval(tick, 2);
  return {
    get written() {
      return written;
    },
    stop() {
      clearInterval(timer);
      for (const fd of fds) fs.closeSync(fd);
      return { written, seconds: (now() - started) / 1000 };
    },
  };
}

const PAD = ' GET /api/user/42?page=3 HTTP/1.1 200 1532 12ms "Mozilla/5.0 (X11; Linux x86_64)"';
/** A realistic 120-byte line with its sequence number; every 50th is a WARN so the level colouring has work. */
const throughputLine = (i) => `2026-11-21T07:00:00.000Z ${i % 50 === 0 ? "WARN" : "INFO"} seq=${i}${PAD}`;

async function metricsOf(url) {
  const text = await (await fetch(`${url}metrics`)).text();
  const value = (name) => Number(new RegExp(`^logward_${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return {
    sent: value("web_events_sent_total"),
    dropped: value("web_events_dropped_total"),
    queuePeak: value("web_client_queue_peak_bytes"),
  };
}

/** The page's own counters (the status bar's data attributes): lines received and the n of the last one. */
const pageCounters = (page) =>
  page.evaluate(() => {
    const d = document.getElementById("status")?.dataset ?? {};
    const rows = document.querySelectorAll("#log .line:not(.marker) .text");
    return {
      received: Number(d.received ?? 0),
      lastN: Number(d.lastN ?? 0),
      rows: rows.length,
      lastRow: rows[rows.length - 1]?.textContent ?? "",
    };
  });

async function measureThroughput({ logwardBin, chromium, seconds, rate, clientBuffer, sources = 1, log }) {
  const { chromium: playwright } = await import("playwright-core");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-web-bench-"));
  const files = sourceNames(sources).map((name) => path.join(dir, name));
  let server;
  let browser;
  try {
    server = await startLogward(logwardBin, dir, clientBuffer, sources);
    browser = await playwright.launch({
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}#source=${sources > 1 ? "*" : SOURCE}`);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    const cpuBefore = server.usage().cpuSeconds;
    const browserCpuBefore = browserCpuSeconds(server.pid);
    const appender = startAppender(files, rate, throughputLine);
    let maxPageLag = 0;
    const started = now();
    for (let s = 1; now() - started < seconds * 1000; s++) {
      await sleep(Math.min(1000, started + seconds * 1000 - now()));
      const c = await pageCounters(page); // waits for the page's main thread: the appender's timer runs meanwhile
      maxPageLag = Math.max(maxPageLag, appender.written - c.lastN);
      if (s % 5 === 0) log(`  ${s} s: appended ${count(appender.written)}, page received ${count(c.received)}`);
    }
    const { written, seconds: appendSeconds } = appender.stop();
    const atStop = await pageCounters(page);
    const stopAt = now();
    // Caught up: the page has the last line (received), then shows it as its last row (drawn).
    let caughtUpMs;
    let shownMs;
    let end = atStop;
    while (shownMs === undefined && now() - stopAt < 20_000) {
      if (caughtUpMs === undefined && end.lastN >= written) caughtUpMs = now() - stopAt;
      if (end.lastRow === throughputLine(written)) shownMs = now() - stopAt;
      else await sleep(20);
      if (shownMs === undefined) end = await pageCounters(page);
    }
    const status = (await page.textContent("#status")) ?? "";
    const m = await metricsOf(server.url);
    const usage = server.usage();
    return {
      appended: written,
      appendSeconds,
      received: end.received,
      displayed: end.rows,
      maxPageLag,
      caughtUpMs,
      shownMs,
      status,
      sent: m.sent,
      dropped: m.dropped,
      queuePeakBytes: m.queuePeak,
      serverPeakRssMB: usage.peakRssMB,
      serverCpuSeconds: usage.cpuSeconds - cpuBefore,
      browserCpuSeconds: browserCpuSeconds(server.pid) - browserCpuBefore,
    };
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A minimal SSE reader: calls onLine(text, receivedAt) for every log line in `lines` (or old-style `line`) events. */
function openSse(url, onLine) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk) => {
        const at = now();
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const data = buffer
            .slice(0, end)
            .split("\n")
            .find((f) => f.startsWith("data: "));
          buffer = buffer.slice(end + 2);
          if (!data) continue;
          const evt = JSON.parse(data.slice(6));
          if (evt.type === "lines") for (const line of evt.lines) onLine(line.line, at);
          else if (evt.type === "line") onLine(evt.line, at);
        }
      });
      resolve(req);
    });
    req.on("error", reject);
  });
}

/**
 * Lines appended one write each at `rate`, each carrying its append time; a plain HTTP SSE client notes when it
 * arrives. Each of `rounds` runs starts its own `logward run` and appends `warmup` unmeasured lines (as the live
 * targets do, bench/lib/live.mjs), then two measured windows of `seconds * rate` lines: "start", right after, while
 * V8 still compiles the hot path on background threads that take the main thread's core on 2 cores; and "steady",
 * the same daemon after that (what a running daemon does). Each window's p99 is the median of the runs' p99, so one
 * burst of other work on a shared machine does not decide it; p50 and max are pooled over all runs.
 */
export async function measureLatency({ logwardBin, seconds, rate, warmup = 100, rounds = 3 }) {
  const runs = [];
  for (let round = 0; round < rounds; round++) runs.push(await latencyRun({ logwardBin, seconds, rate, warmup }));
  const window = (name) => {
    const perRun = runs.map((r) => [...r[name]].sort((a, b) => a - b));
    const pooled = perRun.flat().sort((a, b) => a - b);
    const p99PerRun = perRun.map((sorted) => quantile(sorted, 0.99));
    return {
      appended: runs.length * runs[0].perWindow,
      count: pooled.length,
      p50: quantile(pooled, 0.5),
      p99: [...p99PerRun].sort((a, b) => a - b)[Math.floor(p99PerRun.length / 2)] ?? NaN,
      p99PerRun,
      max: pooled[pooled.length - 1] ?? NaN,
    };
  };
  return { start: window("start"), steady: window("steady"), warmup };
}

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** One run: a fresh daemon, `warmup` lines not measured, then the "start" window's lines, then the "steady" one's. */
async function latencyRun({ logwardBin, seconds, rate, warmup }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logward-web-latency-"));
  const file = path.join(dir, SOURCE);
  const perWindow = Math.round(seconds * rate);
  const start = [];
  const steady = [];
  let server;
  try {
    server = await startLogward(logwardBin, dir, CLIENT_BUFFER);
    const req = await openSse(`${server.url}api/stream?source=${SOURCE}`, (text, at) => {
      const m = /^t=(\d+\.\d+) seq=(\d+) /.exec(text);
      const seq = Number(m?.[2]);
      if (m && seq > warmup) (seq <= warmup + perWindow ? start : steady).push(at - Number(m[1]));
    });
    await sleep(500); // let the source settle on the empty file
    const fd = fs.openSync(file, "a");
    const started = now();
    for (let i = 1; i <= warmup + 2 * perWindow; i++) {
      const wait = started + (i * 1000) / rate - now();
      if (wait > 0) await sleep(wait);
      fs.writeSync(fd, `t=${now().toFixed(3)} seq=${i} INFO latency probe${PAD}\n`);
    }
    fs.closeSync(fd);
    const deadline = now() + 10_000;
    while (start.length + steady.length < 2 * perWindow && now() < deadline) await sleep(20);
    req.destroy();
    return { perWindow, start, steady };
  } finally {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
