// Attack: 600 idle connections to the web port of a daemon allowed fewer file descriptors than that. The daemon
// stays alive and keeps acting on its sources, counts what it refused, cuts the idle ones off, then serves again.
import net from "node:net";
import { afterEach, beforeEach, expect, test } from "vitest";
import { tempDir, waitFor } from "../helpers.js";
import { SseReader } from "../web-support.js";
import { request, startDaemon, type Daemon } from "./daemon.js";

let dir: string;
let cleanup: () => void;
let daemon: Daemon | undefined;
const sockets: net.Socket[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir("logward-conns-")));
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await daemon?.stop().catch(() => {});
  daemon = undefined;
  cleanup();
});

const IDLE = 600;

test.each([
  // max_connections (default 256) above the descriptors left: accept() itself fails (EMFILE) part of the time.
  { name: "default max_connections", web: "request_timeout: 2s", refusedCounted: false },
  // max_connections below them: the connections beyond it are closed at once, and counted.
  { name: "max_connections 100", web: "request_timeout: 2s, max_connections: 100", refusedCounted: true },
])(
  "600 idle connections with 200 descriptors, $name: alive, acting, idle ones cut off, then serving",
  async (c) => {
    daemon = await startDaemon(dir, { maxFiles: 200, web: c.web });
    const d = daemon;
    const { port, hostname } = new URL(d.url);
    let closedByServer = 0;
    await Promise.all(
      Array.from(
        { length: IDLE },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port: Number(port), host: hostname }, () => resolve());
            socket.on("error", () => resolve());
            socket.on("close", () => {
              closedByServer++;
              resolve();
            });
            sockets.push(socket);
          }),
      ),
    );

    // While they are held: the daemon is alive and its rules act (exec and file actions on the other source).
    expect(() => process.kill(d.pid, 0)).not.toThrow();
    await d.provesAlive("with the web port flooded", 30_000);

    // Connections that send nothing are cut off after request_timeout; then the web server answers again.
    await waitFor(
      () => closedByServer >= IDLE - 5,
      `the idle connections closed by the server (${closedByServer})`,
      30_000,
    );
    const health = await waitFor(
      async () => (await request(`${d.url}healthz`, {}, 2_000).catch(() => undefined))?.status === 200,
      "/healthz after the flood",
      20_000,
    );
    expect(health).toBe(true);
    expect(await d.metric("web_connections_timed_out_total")).toBeGreaterThan(0);
    if (c.refusedCounted) expect(await d.metric("web_connections_refused_total")).toBeGreaterThan(0);
    const reader = await SseReader.open(`${d.url}api/stream?source=app`, d.auth);
    expect(reader.status).toBe(200);
    d.appendApp("after the flood\n");
    await waitFor(() => reader.lines().some((l) => l.line === "after the flood"), "a live line after the flood");
    reader.close();
    await d.provesAlive("after the flood");
    expect(await d.stop()).toBe(0);
  },
  120_000,
);
