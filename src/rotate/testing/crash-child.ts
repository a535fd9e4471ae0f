// Child process for crash tests: one rotate pass over the jobs given as JSON in argv[2], state dir argv[3].
// LOGWARD_ROTATE_CRASH_AT makes it SIGKILL itself at that step.
import { systemClock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import { Metrics } from "../../core/metrics.js";
import { rotateJobSchema } from "../schema.js";
import { createRotateScheduler } from "../scheduler.js";

const raw = JSON.parse(process.argv[2] ?? "{}") as Record<string, unknown>;
const jobs = Object.fromEntries(Object.entries(raw).map(([name, job]) => [name, rotateJobSchema.parse(job)]));
const scheduler = createRotateScheduler(jobs, {
  clock: systemClock,
  logger: silentLogger,
  metrics: new Metrics(),
  stateDir: process.argv[3] ?? ".",
});
const plans = await scheduler.runOnce({ dryRun: false, force: false });
process.stdout.write(JSON.stringify(plans));
