// Every registered source kind against the one source contract: a real file, a real stream for stdin, real
// syslog datagrams on 127.0.0.1 and a real nats-server.
import { appendFileSync, writeFileSync } from "node:fs";
import dgram from "node:dgram";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSourceKind, loadSourceKinds, sourceKinds } from "../src/sources/index.js";
import { createStdinSource } from "../src/sources/stdin/index.js";
import type { NatsSource } from "../src/sources/nats/source.js";
import type { SourceKind } from "../src/core/component.js";
import { runSourceContract } from "./contracts/source.js";
import { tempDir } from "./helpers.js";
import { haveNatsServer, NatsServer } from "./nats-server.js";
import { appendJournal, haveJournalTools } from "./journal.helpers.js";

// The registry loads a kind's implementation only when asked (a config naming it): here every one.
await loadSourceKinds(sourceKinds.map((k) => k.type));
const kind = (type: string): SourceKind => findSourceKind(type)!;

it("covers every registered source kind", () => {
  expect(sourceKinds.map((k) => k.type).sort()).toEqual(["file", "journald", "nats", "stdin", "syslog"]);
});

runSourceContract({
  kind: kind("file"),
  newSubject: async () => {
    const dir = tempDir("logward-contract-src-");
    const file = join(dir.dir, "app.log");
    writeFileSync(file, "");
    return {
      config: { path: file, start_at: "beginning" },
      write: async (line) => appendFileSync(file, `${line}\n`),
      bad: { config: { path: file, start_at: "middle" }, key: "start_at" },
      close: async () => dir.cleanup(),
    };
  },
});

runSourceContract({
  kind: kind("stdin"),
  newSubject: async () => {
    // The stdin source reads any stream it is given; the registry's create gives it process.stdin.
    const input = new PassThrough();
    return {
      config: {},
      create: (config, context) => createStdinSource(config as never, context, input),
      write: async (line) => void input.write(`${line}\n`),
      bad: { config: { max_line_bytes: "lots" }, key: "max_line_bytes" },
    };
  },
});

runSourceContract({
  kind: kind("syslog"),
  newSubject: async () => {
    const port = await freeUdpPort();
    const client = dgram.createSocket("udp4");
    return {
      config: { listen: `udp://127.0.0.1:${port}` },
      write: (line) =>
        new Promise<void>((resolve, reject) =>
          client.send(`<13>Nov 21 04:15:00 host app: ${line}`, port, "127.0.0.1", (err) =>
            err ? reject(err) : resolve(),
          ),
        ),
      bad: { config: { listen: "http://127.0.0.1:514" }, key: "listen" },
      close: async () => void client.close(),
    };
  },
});

describe.skipIf(!haveJournalTools)("journald on a real journal file and journalctl", () => {
  runSourceContract({
    kind: kind("journald"),
    newSubject: async () => {
      const dir = tempDir("logward-contract-journald-");
      return {
        config: { directory: dir.dir, start_at: "beginning" },
        write: (line) => appendJournal(join(dir.dir, "contract.journal"), [{ MESSAGE: line }]),
        bad: { config: { directory: dir.dir, files: ["x.journal"] }, key: "files" },
        close: async () => dir.cleanup(),
      };
    },
  });
});

describe.skipIf(!haveNatsServer)("nats against a real nats-server", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });
  let streams = 0;
  runSourceContract({
    kind: kind("nats"),
    newSubject: async () => {
      const stream = `SRC${++streams}`;
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`src${streams}.>`] });
      const subject = `src${streams}.app`;
      return {
        config: { servers: server.url, stream, consumer: "contract" },
        write: async (line) => void (await jetstream(nc).publish(subject, new TextEncoder().encode(line))),
        bad: { config: { servers: server.url, stream: "S", consumer: "a.b" }, key: "consumer" },
        // Its documented grace for acknowledging held batches is 30 s; the contract is about the bound, not its size.
        stop: (source) => (source as NatsSource).stop(1000),
      };
    },
  });
});

/** The syslog line the source makes of a datagram keeps the message text; it is what the contract looks for. */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
