// Attacks on the syslog source of a real daemon: more connections than descriptors, idle connections, a UDP
// flood of 60 KB datagrams. After each, the daemon must be alive and its exec rule must still act.
import dgram from "node:dgram";
import { readFileSync, existsSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type Running } from "../helpers.js";
import {
  alive,
  limitDescriptors,
  logsMatching,
  memoryMb,
  startDaemon,
  syslogAddresses,
  waitFor,
  type Address,
} from "./support.js";

let dir: string;
let cleanup: () => void;
let daemon: Running | undefined;
const sockets: net.Socket[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-hostile-net-")));
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await daemon?.stop();
  daemon = undefined;
  cleanup();
});

function config(sourceKeys: string): string[] {
  return [
    "state_dir: ./state",
    "sources:",
    `  net: { type: syslog, listen: ["tcp://127.0.0.1:0", "udp://127.0.0.1:0"]${sourceKeys} }`,
    "rules:",
    "  marker: { source: net, match: MARKER, actions: [run] }",
    "actions:",
    '  run: { type: exec, command: "cat >> out.txt" }',
  ];
}

/** Open n connections one after another; resolves with those the daemon still holds open a moment later. */
async function connectMany(address: Address, n: number): Promise<net.Socket[]> {
  const open = new Set<net.Socket>();
  for (let i = 0; i < n; i++) {
    const socket = net.connect(address.port, address.host);
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("close", () => open.delete(socket));
    await new Promise<void>((resolve) => {
      socket.once("connect", () => (open.add(socket), resolve()));
      socket.once("close", () => resolve());
    });
  }
  await new Promise((r) => setTimeout(r, 300)); // let the daemon close what it refuses
  return [...open];
}

async function sendUdp(address: Address, text: string): Promise<void> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) =>
    socket.send(Buffer.from(text), address.port, address.host, (err) => (err ? reject(err) : resolve())),
  );
  socket.close();
}

/** The exec rule still acts: a marker sent now comes out of the command. */
async function stillActs(address: Address, marker: string, timeoutMs = 20_000): Promise<void> {
  const out = join(dir, "out.txt");
  await sendUdp(address, `<13>Oct 11 22:14:15 host app: ${marker}`);
  await waitFor(
    () => existsSync(out) && readFileSync(out, "utf8").includes(marker),
    `the exec rule to run for ${marker}; daemon stderr:\n${daemon?.stderr().slice(-2000)}`,
    timeoutMs,
  );
}

describe("syslog peers against a daemon limited to 512 descriptors", () => {
  it("refuses connections past max_connections, counts them, logs once, and keeps acting", async () => {
    daemon = startDaemon(dir, config(""));
    const { tcp, udp } = await syslogAddresses(daemon);
    limitDescriptors(daemon.child.pid as number, 512);
    const held = await connectMany(tcp as Address, 600);
    expect(held.length).toBeLessThanOrEqual(200); // the default max_connections
    expect(held.length).toBeGreaterThan(150);
    await stillActs(udp as Address, "MARKER after 600 connections");
    expect(alive(daemon)).toBe(true);
    expect(logsMatching(daemon, /max_connections reached/)).toHaveLength(1); // 400 refused, one line
  });

  it("survives running out of descriptors (accept and spawn fail with EMFILE) and acts once some are free", async () => {
    daemon = startDaemon(dir, config(", max_connections: 5000"));
    const { tcp, udp } = await syslogAddresses(daemon);
    limitDescriptors(daemon.child.pid as number, 512);
    const held = await connectMany(tcp as Address, 600);
    expect(held.length).toBeLessThan(512); // the rest were accepted and closed by libuv for lack of descriptors
    // The first run may take the spare shell started before; the next one has to spawn.
    await sendUdp(udp as Address, "<13>Oct 11 22:14:15 host app: MARKER while starved 1");
    await new Promise((r) => setTimeout(r, 500));
    await sendUdp(udp as Address, "<13>Oct 11 22:14:15 host app: MARKER while starved 2");
    await waitFor(
      () => logsMatching(daemon as Running, /lack of resources/).length > 0,
      `a spawn retry; stderr:\n${daemon.stderr().slice(-3000)}`,
    );
    expect(alive(daemon)).toBe(true);
    for (const s of held.slice(0, 200)) s.destroy();
    await waitFor(
      () => existsSync(join(dir, "out.txt")) && readFileSync(join(dir, "out.txt"), "utf8").includes("while starved 2"),
      "the starved run to happen once descriptors are free",
      30_000,
    );
    await stillActs(udp as Address, "MARKER after starvation");
    expect(alive(daemon)).toBe(true);
    expect(logsMatching(daemon, /accept failing/).length).toBeLessThanOrEqual(2); // one line, one "over"
    expect(logsMatching(daemon, /lack of resources; retrying$/)).toHaveLength(1);
  });

  it("closes connections idle for idle_timeout", async () => {
    daemon = startDaemon(dir, config(", idle_timeout: 500ms"));
    const { tcp, udp } = await syslogAddresses(daemon);
    const held = await connectMany(tcp as Address, 20);
    expect(held).toHaveLength(20);
    const closed = held.map((s) => new Promise((resolve) => s.once("close", resolve)));
    const started = Date.now();
    await Promise.all(closed);
    expect(Date.now() - started).toBeLessThan(5000);
    await stillActs(udp as Address, "MARKER after idle");
  });
});

describe("a UDP flood of 60 KB datagrams", () => {
  it("keeps memory within the byte budget, drops with a count, and keeps acting", async () => {
    daemon = startDaemon(dir, config(""));
    const { udp } = await syslogAddresses(daemon);
    const pid = daemon.child.pid as number;
    const before = memoryMb(pid);
    const sender = dgram.createSocket("udp4");
    const payload = Buffer.from(`<13>Oct 11 22:14:15 host app: ${"x".repeat(60_000)}`);
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 4000) {
      await Promise.all(
        Array.from(
          { length: 64 },
          () => new Promise<void>((resolve) => sender.send(payload, udp!.port, udp!.host, () => resolve())),
        ),
      );
      sent += 64;
    }
    sender.close();
    const after = memoryMb(pid);
    // The queue's budget is 16 MiB; batches, V8 and the exec shell add some: the garbage collector sets the peak, up
    // to 153 MB over runs on Node 24. Before the budget: 1.7 GB.
    expect(after.peak - before.rss, `peak ${after.peak} MB, before ${before.rss} MB, ${sent} datagrams`).toBeLessThan(
      250,
    );
    await stillActs(udp as Address, "MARKER after the flood");
    expect(alive(daemon)).toBe(true);
  });
});
