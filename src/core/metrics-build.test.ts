// logward_build_info on the registry: one series of 1 with the version and the Node.js release.
import { expect, it } from "vitest";
import { Metrics } from "./metrics.js";
import { registerBuildInfo } from "./metrics-build.js";

it("exposes logward_build_info{version,node} 1", async () => {
  const metrics = new Metrics();
  registerBuildInfo(metrics, "1.2.3");
  registerBuildInfo(metrics, "1.2.3"); // twice (a reload) is still one series
  const text = await metrics.text();
  expect(text).toContain("# TYPE logward_build_info gauge");
  const series = text.split("\n").filter((line) => line.startsWith("logward_build_info{"));
  expect(series).toEqual([`logward_build_info{version="1.2.3",node="${process.versions.node}"} 1`]);
});
