// Every registered action kind against the one action contract: local peers answering like Discord, Slack and a
// webhook on 127.0.0.1, a real shell, a real file, the real stderr stream and a real nats-server.
import { createServer, type Server, type Socket } from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { actionKinds, findActionKind, loadActionKinds } from "../src/actions/index.js";
import type { ActionKind } from "../src/core/component.js";
import { startServer, type Responder } from "../src/actions/delivery/testing/server.js";
import { runActionContract, type ActionSubject } from "./contracts/action.js";
import { tempDir } from "./helpers.js";
import { haveNatsServer, NatsServer } from "./nats-server.js";
import { startSmtpServer } from "../src/actions/email/testing/smtp-server.js";

// The registry loads a kind's implementation only when asked (a config naming it): here every one.
await loadActionKinds(actionKinds.map((k) => k.type));
const kind = (type: string): ActionKind => findActionKind(type)!;

it("covers every registered action kind", () => {
  expect(actionKinds.map((k) => k.type).sort()).toEqual(
    ["console", "discord", "email", "exec", "file", "http", "nats", "slack"].sort(),
  );
});

/** A webhook peer: answers `ok` at once, or never (stalled). */
function webhook(path: string, ok: ReturnType<Responder>, bad: ActionSubject["bad"]): () => Promise<ActionSubject> {
  return async () => {
    const live = await startServer(() => ok);
    const stalled = await startServer(() => "hang");
    return {
      config: async () => ({ url: `${live.url}${path}` }),
      stalled: async () => ({ url: `${stalled.url}${path}` }),
      seen: () => stalled.received.length,
      bad,
      close: async () => {
        await live.close();
        await stalled.close();
      },
    };
  };
}

const badUrl = { config: { url: "not a url" }, key: "url" };
runActionContract({ kind: kind("discord"), newSubject: webhook("/api/webhooks/1/token", { status: 204 }, badUrl) });
runActionContract({
  kind: kind("slack"),
  newSubject: webhook("/services/T0/B0/x", { status: 200, body: "ok" }, badUrl),
});
runActionContract({
  kind: kind("http"),
  newSubject: webhook("/hook", { status: 200, body: { ok: true } }, { config: { url: "ftp://x/" }, key: "url" }),
});

runActionContract({
  kind: kind("email"),
  newSubject: async () => {
    const live = await startSmtpServer();
    const silent = await startSmtpServer({ silent: true });
    const base = { from: "logward@example.org", to: "ops@example.org", starttls: "never" };
    return {
      config: async () => ({ ...base, smtp: live.url, batch: { size: 10 } }),
      // It takes the connection (the event reached it) and never says a word.
      stalled: async () => ({ ...base, smtp: silent.url }),
      seen: () => silent.connections,
      bad: { config: { ...base, smtp: "http://127.0.0.1/" }, key: "smtp" },
      close: async () => {
        await live.close();
        await silent.close();
      },
    };
  },
});

runActionContract({
  kind: kind("exec"),
  newSubject: async () => {
    const dir = tempDir("logward-contract-exec-");
    return {
      config: async () => ({ command: "cat > /dev/null" }),
      // The command starts (it leaves a mark) and never ends by itself.
      stalled: async () => ({ command: `touch ${join(dir.dir, "started")}; exec sleep 60` }),
      seen: () => (existsSync(join(dir.dir, "started")) ? 1 : 0),
      bad: { config: { command: "" }, key: "command" },
      close: async () => dir.cleanup(),
    };
  },
});

runActionContract({
  kind: kind("file"),
  // A local file cannot be made to hang from outside without blocking one of libuv's threads for good (a FIFO
  // nobody reads); its slow-disk behaviour is tested in src/actions/file instead.
  stallable: false,
  newSubject: async () => {
    const dir = tempDir("logward-contract-file-");
    return {
      config: async () => ({ path: join(dir.dir, "events.ndjson") }),
      bad: { config: { path: "" }, key: "path" },
      close: async () => dir.cleanup(),
    };
  },
});

describe("console on the real stderr stream", () => {
  // The stream is process.stderr itself; only its write is taken over, to keep test output clean and to stall it.
  let stall = false;
  beforeAll(() => {
    vi.spyOn(process.stderr, "write").mockImplementation(((_chunk: unknown, ...rest: unknown[]) => {
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (!stall) queueMicrotask(() => done?.());
      return true;
    }) as typeof process.stderr.write);
  });
  afterAll(() => vi.restoreAllMocks());
  runActionContract({
    kind: kind("console"),
    newSubject: async () => ({
      config: async () => {
        stall = false;
        return { stream: "stderr", format: "json" };
      },
      stalled: async () => {
        stall = true;
        return { stream: "stderr", format: "json" };
      },
      bad: { config: { format: "xml" }, key: "format" },
    }),
  });
});

describe.skipIf(!haveNatsServer)("nats against a real nats-server", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => server?.stop());
  let streams = 0;
  runActionContract({
    kind: kind("nats"),
    newSubject: async () => {
      const silent = await silentPeer();
      const stream = `CONTRACT${++streams}`;
      return {
        config: async () => ({ servers: server.url, stream, subject: `contract${streams}.{source}` }),
        // A peer that takes the connection and never says a word: nothing is ever acknowledged.
        stalled: async () => ({ servers: silent.url, stream, subject: "contract.{source}" }),
        bad: { config: { servers: server.url, stream: "a.b" }, key: "stream" },
        close: silent.close,
      };
    },
  });
});

async function silentPeer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const peer: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
  const { port } = peer.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        peer.close(() => resolve());
      }),
  };
}
