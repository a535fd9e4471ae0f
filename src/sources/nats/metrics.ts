// The nats source's metrics (label `source`): messages and lines received, acknowledged, redelivered, unreadable.
import type { Metrics } from "../../core/metrics.js";

export function natsSourceMetrics(m: Metrics) {
  return {
    received: m.counter("nats_received_total", "JetStream messages received", ["source"]),
    redelivered: m.counter(
      "nats_redelivered_total",
      "JetStream messages received again (not acknowledged in time by some instance)",
      ["source"],
    ),
    acked: m.counter("nats_acked_total", "JetStream messages acknowledged after every action delivered them", [
      "source",
    ]),
    held: m.gauge("nats_unacked_messages", "Messages received and not yet acknowledged", ["source"]),
    lines: m.counter("nats_received_lines_total", "Lines (records) in the JetStream messages received", ["source"]),
    decodeErrors: m.counter(
      "nats_decode_errors_total",
      "Messages or batch entries that could not be read (passed on as text with fields.decode_error)",
      ["source"],
    ),
    expired: m.counter(
      "nats_expired_total",
      "Messages not acted on because their ack_wait may have passed unseen (the server redelivers them)",
      ["source"],
    ),
    connected: m.gauge("nats_source_connected", "1 while the source is connected to NATS", ["source"]),
  };
}

export type NatsSourceMetrics = ReturnType<typeof natsSourceMetrics>;
