// The syslog source against real clients: util-linux `logger` over UDP and TCP, and raw sockets for
// malformed input, oversized messages, many concurrent connections and TCP backpressure.
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import type { SourceContext } from "../src/core/component.js";
import { MemoryCheckpointStore } from "../src/core/checkpoint.js";
import { silentLogger } from "../src/core/logger.js";
import { Metrics } from "../src/core/metrics.js";
import type { LogRecord, RecordBatch } from "../src/core/record.js";
import { syslogSource, SyslogSource } from "../src/sources/syslog/index.js";
import { parseListen } from "../src/sources/syslog/schema.js";
import { waitFor } from "./helpers.js";

const LOGGER = "/usr/bin/logger";
const haveLogger = existsSync(LOGGER);
if (!haveLogger && process.env.CI === "true") throw new Error(`${LOGGER} (util-linux) is required in CI`);
const run = promisify(execFile);

interface Harness {
  source: SyslogSource;
  records: LogRecord[];
  batches: RecordBatch[];
  metrics: Metrics;
  /** Make emit wait for this promise (backpressure tests). */
  gate: { wait: Promise<void> | undefined };
  udp: { host: string; port: number };
  tcp: { host: string; port: number };
}

const started: SyslogSource[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function startSource(options: Record<string, unknown> = {}): Promise<Harness> {
  const records: LogRecord[] = [];
  const batches: RecordBatch[] = [];
  const metrics = new Metrics();
  const gate: Harness["gate"] = { wait: undefined };
  const context: SourceContext = {
    name: "fleet",
    clock: systemClock,
    logger: silentLogger,
    metrics,
    stateDir: "/nonexistent",
    checkpoints: new MemoryCheckpointStore(),
    once: false,
    emit: async (batch) => {
      batches.push(batch);
      records.push(...batch.records);
      if (gate.wait) await gate.wait;
    },
  };
  const config = syslogSource.schema.parse({ listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"], ...options });
  const source = syslogSource.create(config, context) as SyslogSource;
  await source.start();
  started.push(source);
  const [udp, tcp] = source.addresses().map(hostPort) as [
    { host: string; port: number },
    { host: string; port: number },
  ];
  return { source, records, batches, metrics, gate, udp, tcp };
}

function hostPort(url: string): { host: string; port: number } {
  const m = /^\w+:\/\/(.+):(\d+)$/.exec(url);
  if (!m) throw new Error(`bad address ${url}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

async function metricValue(metrics: Metrics, name: string): Promise<number> {
  const text = await metrics.text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`logward_${name}{`) || l.startsWith(`logward_${name} `))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}

function sendUdp(port: number, payload: Buffer | string): Promise<void> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve, reject) =>
    socket.send(payload, port, "127.0.0.1", (err) => (socket.close(), err ? reject(err) : resolve())),
  );
}

function sendTcp(port: number, payload: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(payload));
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

describe.skipIf(!haveLogger)("syslog source with util-linux logger", () => {
  it("receives RFC 5424 and RFC 3164 messages over UDP", async () => {
    const h = await startSource();
    await run(LOGGER, [
      "--server",
      "127.0.0.1",
      "--port",
      String(h.udp.port),
      "--udp",
      "--rfc5424",
      "-t",
      "billing",
      "--id=4242",
      "--msgid",
      "PAY",
      "-p",
      "local3.err",
      "payment failed",
    ]);
    await run(LOGGER, [
      "--server",
      "127.0.0.1",
      "--port",
      String(h.udp.port),
      "--udp",
      "--rfc3164",
      "-t",
      "cron",
      "-p",
      "cron.info",
      "job done",
    ]);
    await waitFor(() => h.records.length >= 2, "two UDP messages");
    const [a, b] = sortByLine(h.records);
    expect(a).toMatchObject({
      source: "fleet",
      line: "job done",
      fields: { app: "cron", facility: "cron", severity: "info" },
    });
    expect(b).toMatchObject({
      line: "payment failed",
      fields: { app: "billing", procid: "4242", msgid: "PAY", facility: "local3", severity: "err" },
    });
    expect(b?.fields.structured_data).toMatch(/^\[timeQuality /);
    for (const r of [a, b]) {
      expect(r?.host).toBeTruthy();
      expect(r?.host).toBe(r?.fields.host);
      expect(Math.abs((r?.time ?? 0) - Date.now())).toBeLessThan(10 * 60_000); // the message's own time, not parsed as garbage
    }
  });

  it("receives newline-framed and octet-counted messages over TCP", async () => {
    const h = await startSource();
    await run(LOGGER, [
      "--server",
      "127.0.0.1",
      "--port",
      String(h.tcp.port),
      "--tcp",
      "--rfc5424",
      "-t",
      "app",
      "newline framed",
    ]);
    const lines = Array.from({ length: 50 }, (_, i) => `octet ${i} with \t tab`).join("\n");
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        LOGGER,
        ["--server", "127.0.0.1", "--port", String(h.tcp.port), "--tcp", "--octet-count", "-t", "app"],
        (err) => (err ? reject(err) : resolve()),
      );
      child.stdin?.end(lines + "\n");
    });
    await waitFor(() => h.records.length >= 51, "51 TCP messages");
    expect(h.records.map((r) => r.line)).toEqual(["newline framed", ...lines.split("\n")]);
    expect(h.records.every((r) => r.fields.app === "app" && r.fields.malformed === undefined)).toBe(true);
  });
});

describe("syslog source with raw sockets", () => {
  it("keeps malformed messages as raw text, counts them, and goes on", async () => {
    const h = await startSource();
    await sendUdp(h.udp.port, "no priority at all");
    await sendUdp(h.udp.port, Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0xfe, 0x00, 0x41])); // <13> then invalid UTF-8 and NUL
    await sendTcp(h.tcp.port, "<13>1 not-a-time host app - - - text\n<14>1 - h a - - - fine\n");
    await waitFor(() => h.records.length >= 4, "four messages");
    const byLine = new Map(h.records.map((r) => [r.line, r]));
    expect(byLine.get("no priority at all")?.fields).toMatchObject({ malformed: true, host: "127.0.0.1" });
    expect(byLine.get("<13>1 not-a-time host app - - - text")?.fields.malformed).toBe(true);
    expect(byLine.get("fine")?.fields).toMatchObject({ app: "a", severity: "info" });
    expect(h.records.some((r) => r.line === "\uFFFD\uFFFD\u0000A")).toBe(true);
    expect(await metricValue(h.metrics, "syslog_malformed_total")).toBe(2);
  });

  it("cuts messages longer than max_message_bytes, marks them and keeps the stream in step", async () => {
    const h = await startSource({ max_message_bytes: "1KiB" });
    const big = "<13>1 - h app - - - " + "x".repeat(200_000);
    await sendTcp(h.tcp.port, `${big}\n<13>1 - h app - - - after newline\n`);
    await sendTcp(h.tcp.port, `${Buffer.byteLength(big)} ${big}25 <13>1 - h app - - - after`);
    await sendUdp(h.udp.port, "<13>1 - h app - - - " + "y".repeat(5000));
    await waitFor(() => h.records.length >= 5, "five messages");
    const cut = h.records.filter((r) => r.fields.truncated === true);
    expect(cut).toHaveLength(3);
    for (const r of cut) expect(Buffer.byteLength(r.line)).toBe(1024 - "<13>1 - h app - - - ".length);
    expect(h.records.map((r) => r.line)).toEqual(expect.arrayContaining(["after newline", "after"]));
    expect(await metricValue(h.metrics, "syslog_truncated_total")).toBe(3);
  });

  it("serves many concurrent TCP clients, each in order, losing nothing", async () => {
    const h = await startSource();
    const clients = 40;
    const perClient = 250;
    await Promise.all(
      Array.from({ length: clients }, (_, c) => {
        const messages = Array.from({ length: perClient }, (_, i) => `<13>1 - client${c} app - - - c${c} m${i}`);
        const payload =
          c % 2 === 0
            ? messages.map((m) => `${m}\n`).join("")
            : messages.map((m) => `${Buffer.byteLength(m)} ${m}`).join("");
        return sendTcp(h.tcp.port, payload);
      }),
    );
    await waitFor(() => h.records.length >= clients * perClient, `${clients * perClient} messages`);
    expect(h.records).toHaveLength(clients * perClient);
    for (let c = 0; c < clients; c++) {
      const mine = h.records.filter((r) => r.host === `client${c}`).map((r) => r.line);
      expect(mine).toEqual(Array.from({ length: perClient }, (_, i) => `c${c} m${i}`));
    }
    expect(h.batches.length).toBeLessThan(clients * perClient); // batched per read, not one emit per message
  });

  it("stops reading a TCP sender while the pipeline has not taken the previous batch", async () => {
    const h = await startSource();
    let open!: () => void;
    h.gate.wait = new Promise((resolve) => (open = resolve));
    const total = 200_000;
    const payload = Array.from(
      { length: total },
      (_, i) => `<13>1 - h app - - - message ${i} ${"p".repeat(60)}\n`,
    ).join("");
    const client = net.connect(h.tcp.port, "127.0.0.1");
    client.write(payload);
    client.end();
    await waitFor(() => h.batches.length >= 1, "the first batch");
    // Let the sender fill the socket buffers; a reader without backpressure would take all 17 MB meanwhile.
    await waitFor(async () => {
      const before = await metricValue(h.metrics, "syslog_messages_total");
      await new Promise((r) => setTimeout(r, 500));
      return before === (await metricValue(h.metrics, "syslog_messages_total")) && client.writableLength > 0;
    }, "the sender to be held back");
    expect(await metricValue(h.metrics, "syslog_messages_total")).toBeLessThan(total / 4);
    open();
    h.gate.wait = undefined;
    await waitFor(() => h.records.length >= total, "every message after the pipeline resumes", 60_000);
    expect(h.records).toHaveLength(total);
    expect(h.records[total - 1]?.line).toMatch(/^message 199999 /);
  }, 120_000);

  it("refuses TCP connections past max_connections and counts them", async () => {
    const h = await startSource({ max_connections: 3 });
    const clients = Array.from({ length: 5 }, () => net.connect(h.tcp.port, "127.0.0.1").on("error", () => {}));
    await waitFor(async () => (await metricValue(h.metrics, "syslog_tcp_refused_total")) === 2, "2 refused");
    expect(await metricValue(h.metrics, "syslog_tcp_connections")).toBe(3);
    for (const c of clients) c.destroy();
    await waitFor(async () => (await metricValue(h.metrics, "syslog_tcp_connections")) === 0, "all closed");
    await sendTcp(h.tcp.port, "<13>1 - h app - - - after the refusals\n");
    await waitFor(() => h.records.some((r) => r.line === "after the refusals"), "a new connection served");
  });

  it("closes idle connections, but not one it stopped reading from itself", async () => {
    const h = await startSource({ idle_timeout: "300ms" });
    const idle = net.connect(h.tcp.port, "127.0.0.1");
    await new Promise((resolve) => idle.once("close", resolve));
    expect(await metricValue(h.metrics, "syslog_tcp_idle_closed_total")).toBe(1);
    let open!: () => void;
    h.gate.wait = new Promise((resolve) => (open = resolve));
    const held = net.connect(h.tcp.port, "127.0.0.1");
    held.write("<13>1 - h app - - - first\n");
    await waitFor(() => h.batches.length >= 1, "the first batch");
    held.write("<13>1 - h app - - - second\n");
    await new Promise((r) => setTimeout(r, 1000)); // paused by backpressure for three idle timeouts
    expect(held.destroyed).toBe(false);
    open();
    h.gate.wait = undefined;
    await waitFor(() => h.records.some((r) => r.line === "second"), "the held message");
    await new Promise((resolve) => held.once("close", resolve)); // and idle again afterwards
  });

  it("drops UDP datagrams past max_queue_bytes while the pipeline is busy, and counts them", async () => {
    const h = await startSource({ max_queue_bytes: "256KiB" });
    let open!: () => void;
    h.gate.wait = new Promise((resolve) => (open = resolve));
    await sendUdp(h.udp.port, "<13>1 - h app - - - first");
    await waitFor(() => h.batches.length >= 1, "the first batch");
    for (let i = 0; i < 20; i++) await sendUdp(h.udp.port, `<13>1 - h app - - - big ${i} ${"z".repeat(30_000)}`);
    await waitFor(async () => (await metricValue(h.metrics, "syslog_dropped_total")) > 0, "drops");
    open();
    h.gate.wait = undefined;
    await waitFor(() => h.records.length > 1, "the queued datagrams");
    const taken = h.records.length - 1;
    expect(taken).toBeLessThanOrEqual(5); // 256 KiB at ≈ 60 KB each (two bytes a character)
    expect(taken + (await metricValue(h.metrics, "syslog_dropped_total"))).toBe(20);
  });

  it("fails to start on an address in use, naming it", async () => {
    const h = await startSource();
    const clash = syslogSource.create(syslogSource.schema.parse({ listen: `tcp://127.0.0.1:${h.tcp.port}` }), {
      name: "clash",
      clock: systemClock,
      logger: silentLogger,
      metrics: new Metrics(),
      stateDir: "/nonexistent",
      checkpoints: new MemoryCheckpointStore(),
      once: false,
      emit: async () => {},
    });
    await expect(clash.start()).rejects.toMatchObject({
      code: "SOURCE_FAILED",
      message: expect.stringContaining(`tcp://127.0.0.1:${h.tcp.port}`),
    });
  });

  it("rejects bad listen addresses in the config", () => {
    for (const listen of ["udp://host", "http://h:1", "tcp://h:70000", "h:514"]) {
      expect(syslogSource.schema.safeParse({ listen }).success, listen).toBe(false);
    }
    expect(syslogSource.schema.parse({ listen: "udp://[::1]:514" }).listen).toEqual(["udp://[::1]:514"]);
    expect(parseListen("udp://[::1]:514")).toEqual({ transport: "udp", host: "::1", port: 514 });
  });
});

function sortByLine(records: LogRecord[]): LogRecord[] {
  return [...records].sort((a, b) => a.line.localeCompare(b.line));
}
