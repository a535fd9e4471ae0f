// A real nats-server with JetStream for the NATS tests: free port, temp store, wait until ready, kill, restart.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { tempDir } from "./helpers.js";

export const NATS_SERVER = "/usr/sbin/nats-server";
export const haveNatsServer = existsSync(NATS_SERVER);
if (!haveNatsServer && process.env.CI === "true")
  throw new Error(`${NATS_SERVER} is required in CI (Debian package nats-server)`);

/** A port nobody listens on right now (the server may still lose a race for it: start() retries). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class NatsServer {
  private child: ChildProcess | undefined;
  private output = "";
  private readonly store = tempDir("logward-nats-");

  private constructor(
    public port: number,
    private readonly extraArgs: string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Start on a free port with JetStream stored in a temp dir; resolves when it accepts clients. */
  static async start(extraArgs: string[] = []): Promise<NatsServer> {
    for (let attempt = 0; ; attempt++) {
      const server = new NatsServer(await freePort(), extraArgs);
      try {
        await server.launch();
        return server;
      } catch (err) {
        server.store.cleanup();
        if (attempt >= 4) throw err;
      }
    }
  }

  /** Kill (SIGKILL by default: nothing flushed on purpose) and wait for the exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  /** Start again on the same port with the same store (a server restart). */
  async restart(): Promise<void> {
    await this.kill();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await this.launch();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err; // the port may linger a moment after the kill
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    this.store.cleanup();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output;
  }

  private launch(): Promise<void> {
    const child = spawn(
      NATS_SERVER,
      ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-sd", this.store.dir, ...this.extraArgs],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`nats-server not ready after 20 s:\n${this.output}`)), 20_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(err);
      };
      let mine = "";
      const onData = (data: Buffer) => {
        this.output += data.toString();
        mine += data.toString();
        if (mine.includes("Server is ready")) {
          mine = "";
          clearTimeout(timer);
          void waitForInfo(this.port).then(resolve, fail);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => fail(new Error(`nats-server exited with ${code}:\n${this.output}`)));
    });
  }
}

/** Resolves once a client connection gets the server's INFO line. */
function waitForInfo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("data", (data) => {
      socket.destroy();
      if (data.toString().startsWith("INFO ")) resolve();
      else reject(new Error(`unexpected greeting ${data.toString().slice(0, 40)}`));
    });
    socket.once("error", reject);
  });
}

/** The lines a stored message holds: each entry of a batch (logward's batch format), or the message itself. */
export function linesOf(msg: { json<T>(): T } | null): Record<string, unknown>[] {
  if (!msg) return [];
  const body = msg.json<Record<string, unknown>>();
  return Array.isArray(body.lines) && body.logward_batch !== undefined
    ? (body.lines as Record<string, unknown>[])
    : [body];
}

/** Every line stored in the stream so far, in order (batches expanded), read over a short-lived connection. */
export async function streamLines(url: string, stream: string): Promise<Record<string, unknown>[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const out: Record<string, unknown>[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++)
      out.push(...linesOf(await jsm.streams.getMessage(stream, { seq })));
    return out;
  } finally {
    await nc.close();
  }
}
