// The durable pull consumer the nats source reads from: created when missing, its limits kept in line with the config.
import type { AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy, JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "../../core/logger.js";
import { jsErrorCode, nanos } from "../../nats/connection.js";
import type { NatsSourceConfig } from "./schema.js";

const CONSUMER_NOT_FOUND = 10014;
const STREAM_NOT_FOUND = 10059;

/** The stream does not exist (yet): nothing to read until an agent creates it. */
export class StreamMissing extends Error {
  constructor(stream: string) {
    super(`stream ${stream} does not exist`);
    this.name = "StreamMissing";
  }
}

function wantedConfig(config: NatsSourceConfig): Partial<ConsumerConfig> {
  const filter = config.subjects;
  return {
    durable_name: config.consumer,
    ack_policy: "explicit" as AckPolicy,
    ack_wait: nanos(config.ack_wait),
    max_ack_pending: config.max_ack_pending,
    deliver_policy: (config.start_at === "end" ? "new" : "all") as DeliverPolicy,
    ...(filter?.length === 1 ? { filter_subject: filter[0] } : filter ? { filter_subjects: filter } : {}),
  };
}

/**
 * Make sure the durable consumer exists. Every instance sharing it runs this: creating an identical
 * consumer twice is harmless, and a changed ack_wait, max_ack_pending or filter is applied to it.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  config: NatsSourceConfig,
  logger: Logger,
): Promise<ConsumerInfo> {
  const wanted = wantedConfig(config);
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(config.stream, config.consumer);
  } catch (err) {
    const code = jsErrorCode(err);
    if (code === STREAM_NOT_FOUND) throw new StreamMissing(config.stream);
    if (code !== CONSUMER_NOT_FOUND) throw err;
    try {
      info = await jsm.consumers.add(config.stream, wanted);
      logger.info({ stream: config.stream, consumer: config.consumer }, "created JetStream consumer");
      return info;
    } catch (addErr) {
      if (jsErrorCode(addErr) === STREAM_NOT_FOUND) throw new StreamMissing(config.stream);
      // lost a race to another instance
      return jsm.consumers.info(config.stream, config.consumer).catch(() => Promise.reject(addErr));
    }
  }
  if (!differs(info.config, wanted)) return info;
  try {
    const { deliver_policy: _keep, durable_name: _same, ...changes } = wanted;
    info = await jsm.consumers.update(config.stream, config.consumer, changes);
    logger.info(
      { stream: config.stream, consumer: config.consumer },
      "updated JetStream consumer to the configured limits",
    );
  } catch (err) {
    logger.warn(
      { stream: config.stream, consumer: config.consumer, err: String(err) },
      "cannot update the JetStream consumer; using it as it is",
    );
  }
  return info;
}

function differs(actual: ConsumerConfig, wanted: Partial<ConsumerConfig>): boolean {
  return (
    actual.ack_wait !== wanted.ack_wait ||
    actual.max_ack_pending !== wanted.max_ack_pending ||
    (actual.filter_subject || undefined) !== (wanted.filter_subject || undefined) ||
    JSON.stringify(actual.filter_subjects ?? []) !== JSON.stringify(wanted.filter_subjects ?? [])
  );
}
