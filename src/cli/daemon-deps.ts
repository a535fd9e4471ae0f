// What the commands that start the daemon need, imported in one go (one module graph) when one of them runs.
export { validateConfig } from "../config/load.js";
export { runDaemon } from "../daemon/run.js";
export { unsettableGroupFields } from "../rules/group-fields.js";
export { globalOptions } from "./common.js";
export { loadCommandConfig, loggerForConfig } from "./common-config.js";
