// The web hub as a pipeline tap: the pipeline hands it batches, alerts and reports without knowing it by name.
import type { Tap } from "../core/component.js";
import type { WebHub } from "./hub.js";

/** The view shows every line of every source, so no source may prefilter its bytes while it runs. */
export function hubTap(hub: WebHub): Tap {
  return {
    sourceAdded: (name, info) => hub.addSource(name, info),
    wantsAllLines: () => true,
    records: (records, matched) => hub.pushRecords(records, matched),
    alert: (event) => hub.pushAlert(event),
    report: (job, report) => hub.pushStats(job, report),
  };
}
