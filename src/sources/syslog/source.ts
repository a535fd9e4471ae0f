// The syslog source: UDP and TCP listeners turning RFC 5424/3164 messages into record batches.
import dgram from "node:dgram";
import net from "node:net";
import type { Source, SourceContext } from "../../core/component.js";
import { describeError, LogwardError } from "../../core/errors.js";
import { EpisodeLog } from "../../core/exhaustion.js";
import { within } from "../../core/lifetime.js";
import { noAck, type Fields, type LogRecord } from "../../core/record.js";
import { SyslogFramer, type Frame } from "./framing.js";
import { parseSyslog, type ParsedSyslog } from "./parse.js";
import { RecordPump } from "./pump.js";
import { parseListen, type ListenAddress, type SyslogConfig } from "./schema.js";

/** Records per batch, and most records waiting for the pipeline before UDP datagrams are dropped. */
const MAX_BATCH = 5000;
/** How long stop() waits for the pipeline to take the records in hand (an emit held by backpressure may never end). */
const STOP_WAIT_MS = 2000;
const MAX_QUEUED_UDP = 100_000;
/** Asked of the kernel so bursts wait in the socket rather than being dropped; it may grant less. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

type Transport = "udp" | "tcp";

/**
 * Listens on every configured address. Syslog senders cannot resend, so each batch is released as soon
 * as the pipeline has taken it (noAck): delivery is at-most-once from the sender's side, and UDP is lossy
 * by nature. TCP readers pause while the pipeline is busy, so a slow pipeline slows senders down.
 */
export class SyslogSource implements Source {
  private readonly udpSockets: dgram.Socket[] = [];
  private readonly tcpServers: net.Server[] = [];
  private readonly connections = new Set<net.Socket>();
  private readonly bound: string[] = [];
  private readonly pump: RecordPump;
  private readonly metrics;
  private droppedSinceWarning = 0;
  private readonly refusedLog: EpisodeLog;
  private readonly acceptLog: EpisodeLog;

  constructor(
    private readonly config: SyslogConfig,
    private readonly ctx: SourceContext,
  ) {
    const m = ctx.metrics;
    this.metrics = {
      messages: m.counter("syslog_messages_total", "Syslog messages received", ["source", "transport"]),
      malformed: m.counter("syslog_malformed_total", "Syslog messages that did not parse, kept as raw text", [
        "source",
      ]),
      truncated: m.counter("syslog_truncated_total", "Syslog messages cut to max_message_bytes", ["source"]),
      dropped: m.counter(
        "syslog_dropped_total",
        "UDP syslog messages dropped because the pipeline was too far behind (max_queue_bytes reached)",
        ["source"],
      ),
      connections: m.gauge("syslog_tcp_connections", "Open syslog TCP connections", ["source"]),
      refused: m.counter(
        "syslog_tcp_refused_total",
        "Syslog TCP connections closed at once: max_connections reached, or accept failed (no descriptors)",
        ["source", "reason"],
      ),
      idleClosed: m.counter("syslog_tcp_idle_closed_total", "Syslog TCP connections closed after idle_timeout", [
        "source",
      ]),
    };
    this.refusedLog = new EpisodeLog(ctx.logger, "syslog TCP connections refused: max_connections reached");
    this.acceptLog = new EpisodeLog(ctx.logger, "syslog TCP accept failing (out of file descriptors?)");
    this.pump = new RecordPump({
      maxBatch: MAX_BATCH,
      maxQueued: MAX_QUEUED_UDP,
      maxQueuedBytes: config.max_queue_bytes,
      emit: (records) => ctx.emit({ source: ctx.name, records, ack: noAck }),
      onError: (err, count) =>
        ctx.logger.error({ err: describeError(err), records: count }, "syslog batch not accepted"),
    });
  }

  async start(): Promise<void> {
    try {
      for (const text of this.config.listen) {
        const address = parseListen(text) as ListenAddress; // validated by the schema
        if (address.transport === "udp") await this.listenUdp(address);
        else await this.listenTcp(address);
      }
    } catch (err) {
      await this.closeListeners();
      throw err;
    }
    this.ctx.logger.info({ listen: this.bound }, "syslog listening");
  }

  /** The addresses actually bound ("udp://127.0.0.1:40123"), in config order; port 0 resolved. */
  addresses(): string[] {
    return [...this.bound];
  }

  /** A listener has no backlog to catch up on: what senders send later is not "present at start". */
  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.closeListeners();
    if (await within(this.ctx.clock, STOP_WAIT_MS, this.pump.idle())) return;
    // Syslog senders cannot resend: what the pipeline has not taken by now is lost, so say how much.
    this.ctx.logger.warn(
      { queued: this.pump.queued, waitedMs: STOP_WAIT_MS },
      "syslog: stopped while the pipeline had not taken every record; those not taken are lost",
    );
  }

  private async listenUdp(address: ListenAddress): Promise<void> {
    const socket = dgram.createSocket({ type: net.isIPv6(address.host) ? "udp6" : "udp4" });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", (err) => reject(listenError(address, err)));
      socket.bind(address.port, address.host, () => resolve());
    });
    try {
      socket.setRecvBufferSize(UDP_RECEIVE_BUFFER);
    } catch {
      // the kernel limit (net.core.rmem_max) applies; the default buffer still works
    }
    socket.on("error", (err) => this.ctx.logger.warn({ err: describeError(err) }, "syslog UDP socket error"));
    socket.on("message", (data, peer) => this.onDatagram(data, plainAddress(peer.address)));
    this.udpSockets.push(socket);
    const { address: host, port } = socket.address();
    this.bound.push(`udp://${formatHost(host)}:${port}`);
  }

  private onDatagram(data: Buffer, peer: string): void {
    const cut = data.length > this.config.max_message_bytes;
    const frame: Frame = {
      data: cut ? data.subarray(0, this.config.max_message_bytes) : data,
      truncated: cut,
      badFrame: false,
    };
    const record = this.toRecord(frame, peer, "udp");
    if (this.pump.offer([record], true)) return;
    this.metrics.dropped.inc({ source: this.ctx.name });
    if (this.droppedSinceWarning++ === 0) {
      this.ctx.logger.warn(
        { queued: this.pump.queued, bytes: this.pump.bytes },
        "syslog UDP messages dropped: the pipeline is behind",
      );
      void this.pump.idle().then(() => (this.droppedSinceWarning = 0));
    }
  }

  private async listenTcp(address: ListenAddress): Promise<void> {
    const server = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => reject(listenError(address, err)));
      server.listen({ port: address.port, host: address.host }, () => resolve());
    });
    server.on("error", (err) => this.onServerError(err));
    this.tcpServers.push(server);
    const bound = server.address() as net.AddressInfo;
    this.bound.push(`tcp://${formatHost(bound.address)}:${bound.port}`);
  }

  /** Accept failing (EMFILE: libuv has already closed the pending connection to make room) is counted, logged once. */
  private onServerError(err: Error): void {
    if ((err as NodeJS.ErrnoException).syscall !== "accept") {
      this.ctx.logger.warn({ err: describeError(err) }, "syslog TCP server error");
      return;
    }
    this.metrics.refused.inc({ source: this.ctx.name, reason: "accept_error" });
    this.acceptLog.note({ err: describeError(err) });
  }

  private onConnection(socket: net.Socket): void {
    if (this.acceptLog.active) this.acceptLog.end();
    if (this.connections.size >= this.config.max_connections) {
      socket.destroy();
      this.metrics.refused.inc({ source: this.ctx.name, reason: "max_connections" });
      this.refusedLog.note({ max_connections: this.config.max_connections });
      return;
    }
    this.watchConnection(socket);
  }

  private watchConnection(socket: net.Socket): void {
    const peer = plainAddress(socket.remoteAddress ?? "");
    const framer = new SyslogFramer(this.config.framing, this.config.max_message_bytes);
    let paused = false;
    this.connections.add(socket);
    this.metrics.connections.inc({ source: this.ctx.name });
    socket.on("data", (chunk: Buffer) => {
      this.pump.offer(
        framer.push(chunk).map((frame) => this.toRecord(frame, peer, "tcp")),
        false,
      );
      if (paused || !this.pump.busy) return;
      // Backpressure: read nothing more from this sender until the pipeline has taken what is queued.
      paused = true;
      socket.pause();
      void this.pump.idle().then(() => {
        paused = false;
        if (socket.destroyed) return;
        socket.resume();
        if (this.config.idle_timeout > 0) socket.setTimeout(this.config.idle_timeout);
      });
    });
    socket.on("end", () => {
      this.pump.offer(
        framer.end().map((frame) => this.toRecord(frame, peer, "tcp")),
        false,
      );
      socket.end();
    });
    socket.on("error", (err) =>
      this.ctx.logger.debug({ peer, err: describeError(err) }, "syslog TCP connection error"),
    );
    if (this.config.idle_timeout > 0) {
      // on(), not setTimeout's callback: that is a one-time listener, and a paused socket lets the timeout pass.
      socket.setTimeout(this.config.idle_timeout);
      socket.on("timeout", () => {
        if (paused) return; // quiet because logward is not reading: re-armed on resume
        this.metrics.idleClosed.inc({ source: this.ctx.name });
        this.ctx.logger.debug({ peer }, "syslog TCP connection idle: closed");
        socket.destroy();
      });
    }
    socket.on("close", () => {
      this.connections.delete(socket);
      this.metrics.connections.dec({ source: this.ctx.name });
      if (this.refusedLog.active && this.connections.size < this.config.max_connections)
        this.refusedLog.end({ max_connections: this.config.max_connections });
    });
  }

  private toRecord(frame: Frame, peer: string, transport: Transport): LogRecord {
    const now = this.ctx.clock.now();
    const text = stripLineEnd(frame.data.toString("utf8")); // invalid UTF-8 becomes U+FFFD, never an error
    const parsed: ParsedSyslog = frame.badFrame
      ? { line: text, time: undefined, host: undefined, fields: { malformed: true }, malformed: true }
      : parseSyslog(text, now);
    const host = parsed.host ?? peer;
    const fields: Fields = { ...parsed.fields, host };
    if (frame.truncated) {
      fields.truncated = true;
      this.metrics.truncated.inc({ source: this.ctx.name });
    }
    if (parsed.malformed) this.metrics.malformed.inc({ source: this.ctx.name });
    this.metrics.messages.inc({ source: this.ctx.name, transport });
    return { source: this.ctx.name, line: parsed.line, time: parsed.time ?? now, fields, host };
  }

  private async closeListeners(): Promise<void> {
    for (const socket of this.udpSockets.splice(0)) socket.close();
    for (const socket of this.connections) socket.destroy();
    await Promise.all(
      this.tcpServers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

function listenError(address: ListenAddress, err: Error): LogwardError {
  const url = `${address.transport}://${formatHost(address.host)}:${address.port}`;
  return new LogwardError("SOURCE_FAILED", `syslog: cannot listen on ${url}: ${err.message}`, { cause: err });
}

function formatHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) as "10.0.0.1". */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function stripLineEnd(text: string): string {
  return text.replace(/[\r\n\0]+$/, "");
}
