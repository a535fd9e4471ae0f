// logward_build_info: which logward and which Node.js a daemon runs, as a gauge of 1 (the Prometheus convention).
import type { Metrics } from "./metrics.js";

export function registerBuildInfo(metrics: Metrics, version: string, node: string = process.versions.node): void {
  metrics
    .gauge("build_info", "The running logward: its version and Node.js release (always 1)", ["version", "node"])
    .set({ version, node }, 1);
}
