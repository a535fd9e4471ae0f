// Delivery metrics, one label set per action: sent, retried, rate limited, dead-lettered, queue depth, request time.
import type { Metrics } from "../../core/metrics.js";

export interface DeliveryMetrics {
  sent(events: number): void;
  retried(): void;
  rateLimited(): void;
  deadLettered(events: number): void;
  depth(events: number): void;
  request(seconds: number, result: string): void;
}

export function deliveryMetrics(metrics: Metrics, action: string): DeliveryMetrics {
  const labels = { action };
  const sent = metrics.counter("delivery_events_sent_total", "Events delivered by network actions", ["action"]);
  const retried = metrics.counter("delivery_retries_total", "Requests retried after a network error, timeout or 5xx", [
    "action",
  ]);
  const limited = metrics.counter("delivery_rate_limited_total", "Requests answered 429 (rate limited)", ["action"]);
  const dead = metrics.counter(
    "delivery_dead_lettered_total",
    "Events given up on and written to the dead-letter file",
    ["action"],
  );
  const depth = metrics.gauge(
    "delivery_queue_depth",
    "Events accepted by an action and not yet delivered or dead-lettered",
    ["action"],
  );
  const duration = metrics.histogram(
    "delivery_request_seconds",
    "Duration of delivery requests",
    ["action", "result"],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  return {
    sent: (n) => sent.inc(labels, n),
    retried: () => retried.inc(labels),
    rateLimited: () => limited.inc(labels),
    deadLettered: (n) => dead.inc(labels, n),
    depth: (n) => depth.set(labels, n),
    request: (seconds, result) => duration.observe({ action, result }, seconds),
  };
}
