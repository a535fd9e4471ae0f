// The metrics every action has under the same names, whatever its kind: counted where every action is built.
import type { ActionKind } from "../core/component.js";
import type { Release } from "../core/record.js";

/** Standard metric names (each kind keeps its own as well, e.g. delivery_events_sent_total, exec_runs_total). */
export const STANDARD_ACTION_METRICS = {
  received: "action_events_received_total",
  released: "action_events_released_total",
} as const;

/**
 * The kind, with its instances counting events handed to send() and events released (delivered, or
 * definitively given up), labelled {action, type}: a dashboard needs one query for every action.
 */
export function withStandardMetrics<C>(kind: ActionKind<C>): ActionKind<C> {
  return {
    type: kind.type,
    schema: kind.schema,
    create(config, context) {
      const action = kind.create(config, context);
      const labels = { action: context.name, type: kind.type };
      const { metrics } = context;
      const received = metrics.counter(STANDARD_ACTION_METRICS.received, "Events handed to an action", [
        "action",
        "type",
      ]);
      const released = metrics.counter(
        STANDARD_ACTION_METRICS.released,
        "Events an action released: delivered, or definitively given up (dead-lettered)",
        ["action", "type"],
      );
      // Bound to the labels once: every event passes here.
      const receivedHere = received.labels(labels);
      const releasedHere = released.labels(labels);
      const send = action.send.bind(action);
      // The last release wrapped: the events of an in-order action share one (Ack.ordered), and so share the wrapper.
      let wrapped: Release | undefined;
      let wrappedRelease: Release | undefined;
      // Shadow send on the instance itself, so the instance keeps its class and every other method.
      action.send = (event, release) => {
        receivedHere.inc();
        if (release !== wrappedRelease) {
          wrappedRelease = release;
          wrapped = () => {
            releasedHere.inc();
            release();
          };
        }
        return send(event, wrapped as Release);
      };
      return action;
    },
  };
}
