// The ceiling bench/fleet.mjs measures logward's agent against: a minimal nats.js JetStream publisher of the same
// log. `node bench/fleet-publisher.mjs URL SUBJECT LOG LINES_PER_MESSAGE WINDOW`: each message holds up to
// LINES_PER_MESSAGE lines as JSON objects (alone, or in an array), at most WINDOW publishes await their PubAck.
import fs from "node:fs";
import readline from "node:readline";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const [url, subject, log, perMessage, window] = process.argv.slice(2);
const linesPerMessage = Number(perMessage);
const nc = await connect({ servers: url, noAsyncTraces: true });
const js = jetstream(nc);

let inFlight = 0;
let wake;
let failed;
const publish = (data) => {
  inFlight++;
  js.publish(subject, data).then(
    () => {
      inFlight--;
      wake?.();
    },
    (err) => (failed = err),
  );
};
const room = () => (inFlight < Number(window) ? undefined : new Promise((resolve) => (wake = resolve)));

let batch = [];
for await (const line of readline.createInterface({ input: fs.createReadStream(log) })) {
  batch.push(JSON.stringify({ line }));
  if (batch.length < linesPerMessage) continue;
  await room();
  publish(batch.length === 1 ? batch[0] : `[${batch.join(",")}]`);
  batch = [];
  if (failed) throw failed;
}
if (batch.length > 0) publish(batch.length === 1 ? batch[0] : `[${batch.join(",")}]`);
while (inFlight > 0) await new Promise((resolve) => (wake = resolve));
if (failed) throw failed;
await nc.close();
