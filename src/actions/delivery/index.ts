// The delivery layer's public face: what a network action (or any action wanting human text) builds on.
export { DeliveryQueue, type DeliveryOptions, type Encoder } from "./queue.js";
export {
  deliverySchemaShape,
  deliveryShape,
  parseDeliveryConfig,
  effectiveMaxWait,
  DELIVERY_DEFAULTS,
  type DeliveryConfig,
  type DeliveryDefaults,
} from "./schema.js";
export { formatEvent, formatHeadline, physicalLines, MAX_SAMPLES } from "./format.js";
export { chatCapacity, chatContent, chatParts, type ChatOptions } from "./chat.js";
export { escapeFences, escapeSlack, splitText } from "./text.js";
export {
  classifyReply,
  fetchTransport,
  parseRetryAfter,
  redactUrl,
  type Classifier,
  type OutgoingRequest,
  type Reply,
  type Transport,
} from "./transport.js";
export { decide, backoffDelay, type Outcome, type RetryPolicy } from "./retry.js";
export { RateGate, sharedGate } from "./gate.js";
export { DeadLetterFile, defaultDeadLetterPath, eventToRecord } from "./dead-letter.js";
export type { Part } from "./batcher.js";
