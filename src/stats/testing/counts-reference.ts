// The interval counts as they were before ranges and the arena top-K: strings for host and section, a Map per top list.
import type { RequestHit } from "../../parsers/access.js";
import { sectionOf, type IntervalTally } from "../report.js";
import { ReferenceSpaceSaving } from "./topk-reference.js";

export class ReferenceIntervalCounts implements IntervalTally {
  hits = 0;
  bytes = 0;
  errors = 0;
  readonly status = [0, 0, 0, 0, 0, 0];
  sections: ReferenceSpaceSaving;
  hosts: ReferenceSpaceSaving;

  constructor(private readonly capacity: number) {
    this.sections = new ReferenceSpaceSaving(capacity);
    this.hosts = new ReferenceSpaceSaving(capacity);
  }

  add(hit: RequestHit): void {
    this.hits++;
    this.bytes += hit.bytes;
    const statusClass = (hit.status / 100) | 0;
    if (statusClass >= 1 && statusClass <= 5) this.status[statusClass - 1]!++;
    else this.status[5]!++;
    if (statusClass === 5) this.errors++;
    if (hit.path !== "") this.sections.add(sectionOf(hit.path));
    this.hosts.add(hit.host);
  }

  clear(): void {
    this.hits = 0;
    this.bytes = 0;
    this.errors = 0;
    this.status.fill(0);
    this.sections = new ReferenceSpaceSaving(this.capacity);
    this.hosts = new ReferenceSpaceSaving(this.capacity);
  }
}
